package dev.linuxvm.engine.boot.x86;

/**
 * The x86_64 guest's physical memory and I/O map. Every other part (zero page, e820, ACPI
 * tables, backends) reads its addresses from here, so a structure moves in exactly one place.
 *
 * <pre>
 * 0x0000_0000 ┌──────────────────────────────┐ RAM (e820 type 1)
 *             │ real-mode IVT/BDA (unused)   │
 * 0x0000_1000 │ GDT: null, null, code64, data│
 * 0x0000_2000 │ zero page (boot_params)      │
 * 0x0000_3000 │ kernel command line (4 KiB)  │
 * 0x0000_4000 │ PML4                         │
 * 0x0000_5000 │ PDPT                         │
 * 0x0000_6000 │ 4 PDs, 2 MiB pages (4 GiB)   │
 * 0x0000_A000 │ free low RAM (the kernel's   │
 *             │ real-mode trampoline)        │
 * 0x0009_0000 ├──────────────────────────────┤ ACPI tables (e820 type 3)
 * 0x000A_0000 ├──────────────────────────────┤ legacy VGA/ROM hole (not in e820)
 * 0x000E_0000 ├──────────────────────────────┤ reserved (e820 type 2): RSDP at its start
 * 0x000F_FFF0 │ reset vector (F000:FFF0)     │ (KVM backend: resetVectorStub(); QEMU: its ROM)
 * 0x0010_0000 ├──────────────────────────────┤ RAM
 * 0x0100_0000 │ vmlinux PT_LOAD segments     │ (at their p_paddr; Debian links at 16 MiB)
 *             │ ...                          │
 *             │ initrd (top of RAM, < 2 GiB) │
 * 0xC000_0000 ├──────────────────────────────┤ 32-bit PCI/MMIO hole (RAM above 3 GiB
 *             │ virtio-mmio 0xFEB0_0000      │ continues at 4 GiB)
 *             │  8 × 512 B (data port: #0)   │
 *             │ IOAPIC 0xFEC0_0000           │
 *             │ LAPIC  0xFEE0_0000           │
 *             │ KVM identity map 0xFFFB_C000 │ (KVM backend only: VMX's real-mode pages)
 *             │ KVM TSS 0xFFFB_D000 (3 pages)│
 * 0x1_0000_0000 ────────────────────────────── RAM above 4 GiB, if any
 *
 * I/O ports                                     ISA IRQ → IOAPIC pin (GSI)
 * 0x0060, 0x0064  i8042 (the device's own PC/AT ports, {@code I8042})
 * 0x03F8          COM1 16550, 8 ports        4 → 4
 * 0x0600          ACPI sleep status register
 * 0x0604          ACPI sleep control register (S5 powers off)
 * 0x0CF9          reset control register
 *                 PIT                        0 → 2 (MADT override)
 *                 SCI                        9 → 9 (level, active-high)
 *                 data port (virtio-mmio #0) 5 → 5 (level, active-high, DSDT)
 * </pre>
 *
 * <p>QEMU's {@code microvm} splits RAM at the same place: with {@code -m} above 3 GiB it maps
 * [0, 3 GiB) and puts the rest at 4 GiB (measured with {@code info mtree -f} on QEMU 7.2,
 * vmm-engine/README.md, "Guest RAM sizes"), which is why the hole starts at 3 GiB.
 */
public final class X86Layout {
    private X86Layout() {
    }

    /** x86 4 KiB page; the unit of every alignment below. */
    public static final long PAGE_SIZE = 0x1000;

    /** GDT with the 64-bit boot protocol's selectors (Documentation/arch/x86/boot.rst). */
    public static final long GDT_START = 0x1000;

    /** Zero page: struct boot_params (arch/x86/include/uapi/asm/bootparam.h), RSI at entry. */
    public static final long ZERO_PAGE_START = 0x2000;

    /** Kernel command line, NUL-terminated, pointed to by setup_header.cmd_line_ptr. */
    public static final long CMDLINE_START = 0x3000;

    /** Bytes reserved for the command line: one page, up to the page tables. */
    public static final int CMDLINE_REGION_SIZE = 4096;

    /**
     * Longest command line the kernel keeps, including its NUL: x86 COMMAND_LINE_SIZE
     * (arch/x86/include/asm/setup.h, 2048 in 6.1); a longer one would be cut silently.
     */
    public static final int CMDLINE_MAX_SIZE = 2048;

    /** Identity page tables: PML4, then PDPT, then the page directories. */
    public static final long PAGE_TABLES_START = 0x4000;

    /** Bytes of identity-mapped address space the page tables cover (2 MiB pages). */
    public static final long IDENTITY_MAPPED_SIZE = 4L << 30;

    /** Where the ACPI tables (XSDT, FADT, DSDT, MADT, SRAT ...) go; e820 type 3. */
    public static final long ACPI_TABLES_START = 0x9_0000;

    /** End of the ACPI tables region (exclusive); the legacy VGA hole starts here. */
    public static final long ACPI_TABLES_END = 0xA_0000;

    /** RSDP, found by the kernel's scan of 0xE0000-0xFFFFF (ACPI 6.5 §5.2.5.1). */
    public static final long RSDP_START = 0xE_0000;

    /** Start of the legacy BIOS area reserved in e820 (type 2). */
    public static final long BIOS_RESERVED_START = RSDP_START;

    /** End (exclusive) of the legacy BIOS area: 1 MiB, where high RAM starts. */
    public static final long BIOS_RESERVED_END = 0x10_0000;

    /** Lowest address a kernel segment may use: everything below is boot structures. */
    public static final long HIGH_MEMORY_START = BIOS_RESERVED_END;

    /**
     * Highest initrd byte + 1 we use: the kernel's initrd_addr_max is 0x7FFFFFFF since boot
     * protocol 2.03 (boot.rst), and a vmlinux carries no setup header to say otherwise.
     */
    public static final long INITRD_ADDR_LIMIT = 0x8000_0000L;

    /** Start of the 32-bit PCI/MMIO hole; RAM beyond this size continues at 4 GiB. */
    public static final long MMIO_HOLE_START = 0xC000_0000L;

    /**
     * KVM_SET_IDENTITY_MAP_ADDR: one page KVM (VMX) uses for the real-mode identity page table;
     * outside RAM, below 4 GiB, as QEMU and Firecracker place it (just below the TSS pages).
     */
    public static final long KVM_IDENTITY_MAP_START = 0xFFFB_C000L;

    /** KVM_SET_TSS_ADDR: the three pages KVM (VMX) uses for the real-mode TSS, right after the identity map. */
    public static final long KVM_TSS_START = KVM_IDENTITY_MAP_START + PAGE_SIZE;

    /**
     * First virtio-mmio transport: QEMU microvm's VIRTIO_MMIO_BASE (hw/i386/microvm.c; 8
     * transports, measured with {@code info qtree} on QEMU 7.2).
     */
    public static final long VIRTIO_MMIO_START = 0xFEB0_0000L;

    /** Register window of one virtio-mmio transport (microvm: 512 bytes apart). */
    public static final long VIRTIO_MMIO_SLOT_SIZE = 0x200;

    /** The data port's transport index: the first. */
    public static final int DATA_PORT_TRANSPORT = 0;

    /** The data port's virtio-mmio transport (a virtio-console, {@code dev.linuxvm.engine.DataPort}). */
    public static final long DATA_PORT_START = VIRTIO_MMIO_START + DATA_PORT_TRANSPORT * VIRTIO_MMIO_SLOT_SIZE;

    /** I/O APIC base (Intel 82093AA datasheet default). */
    public static final long IOAPIC_START = 0xFEC0_0000L;

    /** Local APIC base (Intel SDM vol. 3 §10.4.1, IA32_APIC_BASE default). */
    public static final long LAPIC_START = 0xFEE0_0000L;

    /** End of the 32-bit hole: RAM above {@link #MMIO_HOLE_START} is remapped here. */
    public static final long HIGH_RAM_START = 1L << 32;

    /** COM1 16550 UART I/O base (PC/AT convention). */
    public static final int COM1_PORT = 0x3F8;

    /**
     * ACPI sleep status register (FADT SLEEP_STATUS_REG, 8-bit I/O; ACPI 6.5 section 4.8.3.7),
     * at QEMU's PIIX4/ICH9 PM base. ACPICA writes WAK_STS (0x80) here before the sleep control
     * write, so it must not be the control port: the KVM backend reads it as 0 and drops writes,
     * on the QEMU executor it is an unassigned port.
     */
    public static final int SLEEP_STATUS_PORT = 0x600;

    /**
     * ACPI sleep control register (FADT SLEEP_CONTROL_REG, 8-bit I/O; ACPI 6.5 section 4.8.3.7):
     * SLP_TYP of S5 with SLP_EN powers off (KVM backend: Pm1Control; QEMU: isa-debug-exit here).
     * Where the PM1a control block was when the tables were full ACPI, and the KVM backend
     * still takes that 16-bit PM1_CNT form here too.
     */
    public static final int SLEEP_CONTROL_PORT = SLEEP_STATUS_PORT + 4;

    /** Reset control register, FADT RESET_REG (writing {@link #RESET_VALUE} resets). */
    public static final int RESET_PORT = 0xCF9;

    /** The FADT's RESET_VALUE: RST_CPU | SYS_RST, a hard reset. */
    public static final int RESET_VALUE = 0x06;

    /**
     * The real-mode reset vector, F000:FFF0, in the reserved BIOS area. Linux's last ways to
     * reboot jump there (machine_real_restart: "reboot=bios", and on a hardware-reduced platform
     * the first method after the EFI reset, which an EFI-less boot does not have). The QEMU
     * executor's ROM answers there by resetting the machine; an executor without firmware puts
     * {@link #resetVectorStub()} there.
     */
    public static final long RESET_VECTOR = 0xF_FFF0;

    /**
     * 16-bit code for {@link #RESET_VECTOR}: write {@link #RESET_VALUE} to {@link #RESET_PORT},
     * then halt for good.
     * <pre>
     *   ba f9 0c    mov  $0xcf9, %dx
     *   b0 06       mov  $0x06, %al
     *   ee          out  %al, (%dx)
     *   fa          cli
     *   f4          hlt
     *   eb fd       jmp  .-1 (the hlt)
     * </pre>
     */
    public static byte[] resetVectorStub() {
        return new byte[] {(byte) 0xba, (byte) (RESET_PORT & 0xff), (byte) (RESET_PORT >>> 8),
                (byte) 0xb0, (byte) RESET_VALUE, (byte) 0xee, (byte) 0xfa, (byte) 0xf4, (byte) 0xeb, (byte) 0xfd};
    }

    /** PIT (8254 channel 0) interrupt: ISA IRQ 0. */
    public static final int PIT_IRQ = 0;

    /** IOAPIC pin the PIT is wired to, as on a PC and in QEMU (MADT interrupt source override). */
    public static final int PIT_GSI = 2;

    /** COM1 interrupt line (ISA IRQ 4, IOAPIC pin 4). */
    public static final int COM1_IRQ = 4;

    /** ACPI SCI: ISA IRQ 9 (FADT SCI_INT), level-triggered, active-high. */
    public static final int SCI_IRQ = 9;

    /**
     * First virtio-mmio interrupt: microvm wires transport n to GSI 5 + n when it has neither
     * ACPI nor a second IOAPIC (hw/i386/microvm.c virtio_irq_base), as our machine line says.
     */
    public static final int VIRTIO_MMIO_FIRST_GSI = 5;

    /** The data port's IOAPIC pin. */
    public static final int DATA_PORT_GSI = VIRTIO_MMIO_FIRST_GSI + DATA_PORT_TRANSPORT;
}
