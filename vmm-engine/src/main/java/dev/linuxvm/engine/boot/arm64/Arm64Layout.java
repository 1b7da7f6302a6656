package dev.linuxvm.engine.boot.arm64;

/**
 * The AArch64 guest's physical address map: QEMU {@code virt}'s map (hw/arm/virt.c,
 * {@code base_memmap}), so the QEMU executor and the KVM backend present the same machine. The
 * device tree, the ACPI tables and the backends all read these constants.
 *
 * <pre>
 * 0x0800_0000 ┌──────────────────────────┐ GICv3 distributor (GICD), 64 KiB
 * 0x0808_0000 ├──────────────────────────┤ GIC ITS, 128 KiB (optional)
 * 0x080A_0000 ├──────────────────────────┤ GICv3 redistributors (GICR), 128 KiB per CPU
 * 0x0900_0000 ├──────────────────────────┤ PL011 UART, 4 KiB, SPI 1 = INTID 33
 * 0x0901_0000 ├──────────────────────────┤ PL031 RTC, 4 KiB, SPI 2 (optional)
 * 0x0A00_0000 ├──────────────────────────┤ virtio-mmio, 32 × 512 B, SPI 16 + n (data port: #0)
 *             ┆                          ┆
 * 0x4000_0000 ╞══════════════════════════╡ RAM
 *             │ QEMU's own DTB (1 MiB)   │ QEMU virt writes it here; we leave it alone
 * 0x4010_0000 ├──────────────────────────┤ firmware window: ACPI tables, EFI tables, our DTB
 * 0x4020_0000 ├──────────────────────────┤ kernel: 2 MiB-aligned base + text_offset ... image_size
 *             │ initrd (2 MiB-aligned)   │
 *             ┆ free RAM                 ┆
 * </pre>
 */
public final class Arm64Layout {
    /** GICv3 distributor (virt.c VIRT_GIC_DIST). */
    public static final long GICD_BASE = 0x0800_0000L;
    /** GICD frame size. */
    public static final long GICD_SIZE = 0x1_0000L;
    /** GIC ITS (virt.c VIRT_GIC_ITS); optional, not described unless a backend provides it. */
    public static final long GIC_ITS_BASE = 0x0808_0000L;
    /** GIC ITS frame size. */
    public static final long GIC_ITS_SIZE = 0x2_0000L;
    /** First GICv3 redistributor (virt.c VIRT_GIC_REDIST). */
    public static final long GICR_BASE = 0x080A_0000L;
    /** Per-CPU redistributor: RD_base + SGI_base frames, 64 KiB each (GICv3 spec 12.10). */
    public static final long GICR_STRIDE = 0x2_0000L;
    /** Redistributor window up to the UART (virt.c: 0xF60000). */
    public static final long GICR_REGION_SIZE = 0x0900_0000L - GICR_BASE;
    /** PL011 UART (virt.c VIRT_UART). */
    public static final long UART_BASE = 0x0900_0000L;
    /** PL011 register frame. */
    public static final long UART_SIZE = 0x1000L;
    /** PL031 RTC (virt.c VIRT_RTC); optional. */
    public static final long RTC_BASE = 0x0901_0000L;
    /** PL031 register frame. */
    public static final long RTC_SIZE = 0x1000L;
    /** First virtio-mmio transport (virt.c VIRT_MMIO; NUM_VIRTIO_TRANSPORTS = 32 of them). */
    public static final long VIRTIO_MMIO_BASE = 0x0A00_0000L;
    /** Register window of one virtio-mmio transport (virt.c: 0x200 apart). */
    public static final long VIRTIO_MMIO_SLOT_SIZE = 0x200L;
    /** The data port's transport index: the first (QEMU's virtio-mmio-bus.0). */
    public static final int DATA_PORT_TRANSPORT = 0;
    /** The data port's virtio-mmio transport (a virtio-console, {@code dev.linuxvm.engine.DataPort}). */
    public static final long DATA_PORT_BASE = VIRTIO_MMIO_BASE + DATA_PORT_TRANSPORT * VIRTIO_MMIO_SLOT_SIZE;
    /** Start of RAM (virt.c VIRT_MEM). */
    public static final long RAM_BASE = 0x4000_0000L;
    /** Bytes at the start of RAM where QEMU virt always writes its own DTB; no blob of ours goes there. */
    public static final long QEMU_DTB_RESERVED_SIZE = 1L << 20;
    /** First address for our blobs: ACPI tables, EFI tables, DTB. */
    public static final long FIRMWARE_BASE = RAM_BASE + QEMU_DTB_RESERVED_SIZE;
    /** booting.rst: the Image goes at a 2 MiB-aligned base + text_offset. */
    public static final long KERNEL_ALIGNMENT = 2L << 20;
    /** The kernel's 2 MiB-aligned base: the first one above the firmware window's start. */
    public static final long KERNEL_BASE = (FIRMWARE_BASE + KERNEL_ALIGNMENT - 1) & -KERNEL_ALIGNMENT;
    /** Bytes available to ACPI tables, EFI tables and DTB. */
    public static final long FIRMWARE_SIZE = KERNEL_BASE - FIRMWARE_BASE;
    /** Largest RAM virt maps below the high-memory devices (virt.c LEGACY_RAMLIMIT_GB = 255). */
    public static final long RAM_MAX_SIZE = 255L << 30;

    /** GIC: first PPI INTID (GICv3 spec 2.2.1). */
    public static final int PPI_BASE = 16;
    /** GIC: first SPI INTID. */
    public static final int SPI_BASE = 32;
    /** PL011 interrupt, as an SPI number (virt.c VIRT_UART irq). */
    public static final int UART_SPI = 1;
    /** PL011 interrupt as a GIC INTID (ACPI and KVM count from INTID 0). */
    public static final int UART_INTID = SPI_BASE + UART_SPI;
    /** PL031 interrupt, as an SPI number. */
    public static final int RTC_SPI = 2;
    /** First virtio-mmio interrupt, as an SPI number (virt.c VIRT_MMIO irq); transport n has SPI 16 + n. */
    public static final int VIRTIO_MMIO_FIRST_SPI = 16;
    /** The data port's interrupt, as an SPI number. */
    public static final int DATA_PORT_SPI = VIRTIO_MMIO_FIRST_SPI + DATA_PORT_TRANSPORT;
    /** The data port's interrupt as a GIC INTID. */
    public static final int DATA_PORT_INTID = SPI_BASE + DATA_PORT_SPI;
    /** Architected timer: hypervisor (EL2) physical timer PPI (virt.h ARCH_TIMER_NS_EL2_IRQ). */
    public static final int TIMER_HYP_INTID = 26;
    /** Architected timer: virtual timer PPI (ARCH_TIMER_VIRT_IRQ). */
    public static final int TIMER_VIRT_INTID = 27;
    /** Architected timer: secure physical timer PPI (ARCH_TIMER_S_EL1_IRQ). */
    public static final int TIMER_PHYS_S_INTID = 29;
    /** Architected timer: non-secure physical timer PPI (ARCH_TIMER_NS_EL1_IRQ). */
    public static final int TIMER_PHYS_NS_INTID = 30;
    /** The PL011's reference clock, as QEMU virt's "apb-pclk" fixed clock (24 MHz). */
    public static final int UART_CLOCK_HZ = 24_000_000;
    /** vCPUs whose redistributors fit the GICR window. */
    public static final int MAX_CPUS = (int) (GICR_REGION_SIZE / GICR_STRIDE);

    /** Root {@code model}: the kernel prints it as "Machine model: linuxvm virt". */
    public static final String DT_MODEL = "linuxvm virt";
    /** Root {@code compatible}. */
    public static final String DT_COMPATIBLE = "linuxvm,virt";

    private Arm64Layout() {
    }

    /**
     * MPIDR_EL1 affinity of vCPU {@code cpu}: 16 CPUs per Aff1 cluster, which is what KVM assigns
     * (arch/arm64/kvm/sys_regs.c reset_mpidr) and what QEMU virt uses with GICv3.
     */
    public static long mpidr(int cpu) {
        return ((long) (cpu / 16) << 8) | (cpu % 16);
    }

    /** Size of the redistributor range for {@code cpus} vCPUs. */
    public static long gicrSize(int cpus) {
        return Math.multiplyExact(GICR_STRIDE, cpus);
    }
}
