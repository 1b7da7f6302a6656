package dev.linuxvm.engine.boot.arm64;

import dev.linuxvm.engine.DataPort;
import java.util.Optional;

import dev.linuxvm.engine.efi.EfiMemoryDescriptor;
import dev.linuxvm.engine.fdt.FdtWriter;

/**
 * The two device trees an arm64 guest can get: the full platform description (device-tree
 * mode) and the /chosen-only stub that hands the kernel our EFI tables (ACPI mode). Node names,
 * compatibles and interrupt specifiers follow the kernel's bindings
 * (Documentation/devicetree/bindings/...) and QEMU virt's generated tree.
 */
public final class Arm64DeviceTree {
    /** Node of the PL011; {@code stdout-path} points here. */
    public static final String UART_NODE = "pl011@" + Long.toHexString(Arm64Layout.UART_BASE);
    /** Value of /chosen {@code stdout-path}. */
    public static final String STDOUT_PATH = "/" + UART_NODE;
    /** linux,uefi-secure-boot: 2 = disabled (efi.h efi_secureboot_mode_disabled; 0 means unknown). */
    public static final int UEFI_SECURE_BOOT_DISABLED = 2;

    /** interrupt-controller/arm,gic-v3.yaml: first cell of an interrupt specifier. */
    private static final int GIC_SPI = 0;
    private static final int GIC_PPI = 1;
    /** include/dt-bindings/interrupt-controller/irq.h IRQ_TYPE_LEVEL_HIGH. */
    private static final int IRQ_TYPE_LEVEL_HIGH = 4;

    private Arm64DeviceTree() {
    }

    /** An initrd's [start, end) in guest physical memory. */
    public record InitrdRange(long start, long end) {
    }

    /** Where the EFI system table and memory map are (drivers/firmware/efi/fdtparams.c). */
    public record EfiHandoff(long systemTable, long mmapStart, int mmapSize) {
    }

    /**
     * The full device tree: root, fixed clock, cpus, psci, memory, GICv3, timer, PL011, chosen.
     *
     * @param initrd null when there is none
     */
    public static byte[] full(int cpus, long ramSize, String bootargs, InitrdRange initrd) {
        return full(cpus, ramSize, bootargs, initrd, Optional.empty());
    }

    /** {@link #full(int, long, String, InitrdRange)} with the data port's virtio-mmio node when present. */
    public static byte[] full(int cpus, long ramSize, String bootargs, InitrdRange initrd, Optional<DataPort> dataPort) {
        FdtWriter fdt = new FdtWriter();
        int gicPhandle = fdt.allocatePhandle();
        int clockPhandle = fdt.allocatePhandle();

        FdtWriter.Node root = fdt.beginNode("");
        fdt.propertyString("model", Arm64Layout.DT_MODEL);
        fdt.propertyString("compatible", Arm64Layout.DT_COMPATIBLE);
        fdt.propertyU32("#address-cells", 2);
        fdt.propertyU32("#size-cells", 2);
        fdt.propertyU32("interrupt-parent", gicPhandle);

        // clock/fixed-clock.yaml; QEMU virt's "apb-pclk" feeds the PL011.
        FdtWriter.Node clock = fdt.beginNode("apb-pclk");
        fdt.propertyString("compatible", "fixed-clock");
        fdt.propertyU32("#clock-cells", 0);
        fdt.propertyU32("clock-frequency", Arm64Layout.UART_CLOCK_HZ);
        fdt.propertyString("clock-output-names", "clk24mhz");
        fdt.propertyU32("phandle", clockPhandle);
        fdt.endNode(clock);

        // arm/cpus.yaml: reg is the MPIDR affinity; one cell while Aff2/Aff3 are zero.
        FdtWriter.Node cpusNode = fdt.beginNode("cpus");
        fdt.propertyU32("#address-cells", 1);
        fdt.propertyU32("#size-cells", 0);
        for (int i = 0; i < cpus; i++) {
            long mpidr = Arm64Layout.mpidr(i);
            FdtWriter.Node cpu = fdt.beginNode("cpu@" + Long.toHexString(mpidr));
            fdt.propertyString("device_type", "cpu");
            fdt.propertyString("compatible", "arm,armv8");
            fdt.propertyU32("reg", (int) mpidr);
            fdt.propertyString("enable-method", "psci");
            fdt.endNode(cpu);
        }
        fdt.endNode(cpusNode);

        // arm/psci.yaml: PSCI 0.2+ has standard function ids; HVC because there is no EL3 firmware.
        FdtWriter.Node psci = fdt.beginNode("psci");
        fdt.propertyString("compatible", "arm,psci-0.2");
        fdt.propertyString("method", "hvc");
        fdt.endNode(psci);

        FdtWriter.Node memory = fdt.beginNode("memory@" + Long.toHexString(Arm64Layout.RAM_BASE));
        fdt.propertyString("device_type", "memory");
        fdt.propertyU64Array("reg", Arm64Layout.RAM_BASE, ramSize);
        fdt.endNode(memory);

        // interrupt-controller/arm,gic-v3.yaml: reg = GICD, then the redistributor range.
        FdtWriter.Node gic = fdt.beginNode("intc@" + Long.toHexString(Arm64Layout.GICD_BASE));
        fdt.propertyString("compatible", "arm,gic-v3");
        fdt.propertyU32("#interrupt-cells", 3);
        fdt.propertyEmpty("interrupt-controller");
        // No children, and interrupt-map users need the parent's #address-cells (dtc interrupt_provider).
        fdt.propertyU32("#address-cells", 0);
        fdt.propertyU64Array("reg", Arm64Layout.GICD_BASE, Arm64Layout.GICD_SIZE,
                Arm64Layout.GICR_BASE, Arm64Layout.gicrSize(cpus));
        fdt.propertyU32("phandle", gicPhandle);
        fdt.endNode(gic);

        // timer/arm,arch_timer.yaml: secure phys, non-secure phys, virtual, hyp; PPI numbers are
        // INTID - 16; level-high as QEMU virt describes them with GICv3.
        FdtWriter.Node timer = fdt.beginNode("timer");
        fdt.propertyString("compatible", "arm,armv8-timer");
        fdt.propertyU32Array("interrupts",
                GIC_PPI, Arm64Layout.TIMER_PHYS_S_INTID - Arm64Layout.PPI_BASE, IRQ_TYPE_LEVEL_HIGH,
                GIC_PPI, Arm64Layout.TIMER_PHYS_NS_INTID - Arm64Layout.PPI_BASE, IRQ_TYPE_LEVEL_HIGH,
                GIC_PPI, Arm64Layout.TIMER_VIRT_INTID - Arm64Layout.PPI_BASE, IRQ_TYPE_LEVEL_HIGH,
                GIC_PPI, Arm64Layout.TIMER_HYP_INTID - Arm64Layout.PPI_BASE, IRQ_TYPE_LEVEL_HIGH);
        fdt.propertyEmpty("always-on");
        fdt.endNode(timer);

        // serial/arm,pl011.yaml: primecell with uartclk + apb_pclk.
        FdtWriter.Node uart = fdt.beginNode(UART_NODE);
        fdt.propertyStringList("compatible", "arm,pl011", "arm,primecell");
        fdt.propertyU64Array("reg", Arm64Layout.UART_BASE, Arm64Layout.UART_SIZE);
        fdt.propertyU32Array("interrupts", GIC_SPI, Arm64Layout.UART_SPI, IRQ_TYPE_LEVEL_HIGH);
        fdt.propertyU32Array("clocks", clockPhandle, clockPhandle);
        fdt.propertyStringList("clock-names", "uartclk", "apb_pclk");
        fdt.endNode(uart);

        // virtio/mmio.yaml; virt.c create_virtio_devices adds dma-coherent too. Level-high like
        // the DSDT's: the transport holds its line until the driver acknowledges (virtio 1.2 §4.2.2.1).
        dataPort.ifPresent(port -> {
            FdtWriter.Node virtio = fdt.beginNode("virtio_mmio@" + Long.toHexString(port.base()));
            fdt.propertyString("compatible", "virtio,mmio");
            fdt.propertyU64Array("reg", port.base(), port.size());
            fdt.propertyU32Array("interrupts", GIC_SPI, port.gsi() - Arm64Layout.SPI_BASE, IRQ_TYPE_LEVEL_HIGH);
            fdt.propertyEmpty("dma-coherent");
            fdt.endNode(virtio);
        });

        FdtWriter.Node chosen = fdt.beginNode("chosen");
        chosenCommon(fdt, bootargs, initrd);
        fdt.propertyString("stdout-path", STDOUT_PATH);
        fdt.endNode(chosen);

        fdt.endNode(root);
        return fdt.finish();
    }

    /**
     * The ACPI-mode stub: only /chosen, with the properties the EFI stub would have set
     * (drivers/firmware/efi/libstub/fdt.c update_fdt; read back by drivers/firmware/efi/fdtparams.c).
     * A DT with no other node is what makes arm64 choose ACPI without {@code acpi=force}
     * (arch/arm64/kernel/acpi.c dt_is_stub).
     */
    public static byte[] stub(String bootargs, InitrdRange initrd, EfiHandoff efi) {
        FdtWriter fdt = new FdtWriter();
        FdtWriter.Node root = fdt.beginNode("");
        FdtWriter.Node chosen = fdt.beginNode("chosen");
        chosenCommon(fdt, bootargs, initrd);
        fdt.propertyU64("linux,uefi-system-table", efi.systemTable());
        fdt.propertyU64("linux,uefi-mmap-start", efi.mmapStart());
        fdt.propertyU32("linux,uefi-mmap-size", efi.mmapSize());
        fdt.propertyU32("linux,uefi-mmap-desc-size", EfiMemoryDescriptor.DESCRIPTOR_SIZE);
        fdt.propertyU32("linux,uefi-mmap-desc-ver", EfiMemoryDescriptor.EFI_MEMORY_DESCRIPTOR_VERSION);
        fdt.propertyU32("linux,uefi-secure-boot", UEFI_SECURE_BOOT_DISABLED);
        fdt.endNode(chosen);
        fdt.endNode(root);
        return fdt.finish();
    }

    /** chosen.yaml: bootargs and the initrd range (u64 each; the kernel reads any cell count). */
    private static void chosenCommon(FdtWriter fdt, String bootargs, InitrdRange initrd) {
        fdt.propertyString("bootargs", bootargs);
        if (initrd != null) {
            fdt.propertyU64("linux,initrd-start", initrd.start());
            fdt.propertyU64("linux,initrd-end", initrd.end());
        }
    }
}
