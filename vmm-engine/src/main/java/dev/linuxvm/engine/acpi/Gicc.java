package dev.linuxvm.engine.acpi;

/**
 * GIC CPU Interface (GICC) Structure (ACPI 6.5 section 5.2.12.14, Table 5.37, in its ACPI 6.3
 * form; type 0x0B, 80 bytes). For GICv3 the CPU interface is system registers, so the GIC
 * physical/GICV/GICH bases are 0; the redistributor comes from a {@link Gicr} range, so
 * GICR Base Address is 0 too.
 *
 * @param cpuInterfaceNumber       GIC's CPU Interface Number (unused by GICv3, the CPU index)
 * @param acpiProcessorUid         ACPI Processor UID
 * @param performanceInterruptGsiv PMU overflow interrupt (PPI as a GSIV, e.g. 23), 0 for none
 * @param vgicMaintenanceInterrupt VGIC maintenance GSIV (e.g. 25), 0 for none
 * @param mpidr                    this CPU's MPIDR affinity fields (Aff3 in bits 39-32)
 */
public record Gicc(int cpuInterfaceNumber, int acpiProcessorUid, int performanceInterruptGsiv,
        int vgicMaintenanceInterrupt, long mpidr) implements MadtEntry {
    public static final int TYPE = 0x0B;
    public static final int SIZE = 80;
    /** Flags bit 0: Enabled. */
    public static final int ENABLED = 1;

    @Override
    public void write(TableWriter w) {
        w.u8(TYPE).u8(SIZE)
                .u16(0)                        // Reserved
                .u32(cpuInterfaceNumber)       // CPU Interface Number
                .u32(acpiProcessorUid)         // ACPI Processor UID
                .u32(ENABLED)                  // Flags: enabled, level-triggered PMU/VGIC interrupts
                .u32(0)                        // Parking Protocol Version: not used (PSCI)
                .u32(performanceInterruptGsiv) // Performance Interrupt GSIV
                .u64(0)                        // Parked Address
                .u64(0)                        // Physical Base Address (GICv2 CPU interface)
                .u64(0)                        // GICV
                .u64(0)                        // GICH
                .u32(vgicMaintenanceInterrupt) // VGIC Maintenance interrupt
                .u64(0)                        // GICR Base Address: see the GICR structure
                .u64(mpidr)                    // MPIDR
                .u8(0)                         // Processor Power Efficiency Class
                .u8(0)                         // Reserved
                .u16(0);                       // SPE overflow Interrupt
    }

    @Override
    public int size() {
        return SIZE;
    }
}
