package dev.linuxvm.engine.acpi;

import dev.linuxvm.engine.acpi.aml.Aml;
import dev.linuxvm.engine.acpi.aml.Device;
import dev.linuxvm.engine.acpi.aml.ExtendedInterrupt;
import dev.linuxvm.engine.acpi.aml.Memory32Fixed;
import dev.linuxvm.engine.acpi.aml.Name;
import dev.linuxvm.engine.acpi.aml.ResourceTemplate;
import dev.linuxvm.engine.acpi.aml.Scope;
import java.util.ArrayList;
import java.util.List;

/**
 * The arm64 table set: FACP, DSDT, APIC (MADT), GTDT, SPCR. Usage:
 * {@code Arm64AcpiTables.tableSet(params).layout(base)}, then store {@code layout.region(...)}
 * in EfiACPIReclaimMemory and {@code layout.rsdp()} where the EFI configuration table's ACPI 2.0
 * entry points.
 */
public final class Arm64AcpiTables {
    private Arm64AcpiTables() {
    }

    /** GIC version in the GICD structure. */
    public static final int GIC_VERSION = 3;

    public static AcpiTableSet tableSet(Arm64AcpiParams p) {
        return new AcpiTableSet(Fadt.arm64(), dsdt(p), List.of(madt(p), p.gtdt(), spcr(p)));
    }

    /**
     * <pre>
     * DefinitionBlock ("", "DSDT", 2, "LNXVM ", "LINUXVM ", 1) {
     *     Scope (\_SB) {
     *         Device (COM0) {
     *             Name (_HID, "ARMH0011")            // ARM PL011 (Linux amba-pl011 ACPI id)
     *             Name (_UID, Zero)
     *             Name (_STA, 0x0F)
     *             Name (_CRS, ResourceTemplate () {
     *                 Memory32Fixed (ReadWrite, 0x09000000, 0x00001000)
     *                 Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { 33 }
     *             })
     *         }
     *         Device (VIO0) {                              // only with a data port
     *             Name (_HID, "LNRO0005")                  // virtio-mmio (drivers/virtio/virtio_mmio.c)
     *             Name (_UID, Zero)
     *             Name (_STA, 0x0F)
     *             Name (_CRS, ResourceTemplate () {
     *                 Memory32Fixed (ReadWrite, 0x0A000000, 0x00000200)
     *                 Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { 48 }
     *             })
     *         }
     *     }
     * }
     * </pre>
     */
    public static Dsdt dsdt(Arm64AcpiParams p) {
        List<Aml> devices = new ArrayList<>();
        devices.add(Device.of("COM0",
                Name.of("_HID", "ARMH0011"),
                Name.of("_UID", 0),
                Name.of("_STA", 0x0F), // present, enabled, shown in UI, functioning
                Name.of("_CRS", ResourceTemplate.of(
                        new Memory32Fixed(true, p.uartBase(), p.uartSize()),
                        ExtendedInterrupt.levelHigh(p.uartGsiv())))));
        p.dataPort().ifPresent(port -> devices.add(VirtioMmioDevice.of("VIO0", port)));
        return Dsdt.of(Scope.of("\\_SB", devices.toArray(Aml[]::new)));
    }

    public static Madt madt(Arm64AcpiParams p) {
        List<MadtEntry> entries = new ArrayList<>();
        for (int cpu = 0; cpu < p.mpidrs().size(); cpu++) {
            entries.add(new Gicc(cpu, cpu, p.pmuGsiv(), 0, p.mpidrs().get(cpu)));
        }
        entries.add(new Gicd(0, p.gicdBase(), GIC_VERSION));
        entries.add(new Gicr(p.gicrBase(), Math.multiplyExact(p.gicrStride(), (long) p.mpidrs().size())));
        // No 8259s and no memory-mapped local interrupt controller on arm64: address 0, flags 0.
        return new Madt(0, 0, entries);
    }

    public static Spcr spcr(Arm64AcpiParams p) {
        return Spcr.pl011(p.uartBase(), p.uartGsiv());
    }
}
