package dev.linuxvm.engine.acpi;

/**
 * GIC Distributor (GICD) Structure (ACPI 6.5 section 5.2.12.15, Table 5.39; type 0x0C, 24
 * bytes): Reserved, GIC ID, Physical Base Address, System Vector Base (0), GIC version
 * (1-4), Reserved.
 */
public record Gicd(int gicId, long physicalBaseAddress, int gicVersion) implements MadtEntry {
    public static final int TYPE = 0x0C;
    public static final int SIZE = 24;

    public Gicd {
        if (gicVersion < 1 || gicVersion > 4) {
            throw new AcpiException("GICD: GIC version " + gicVersion + " is not 1-4");
        }
    }

    @Override
    public void write(TableWriter w) {
        w.u8(TYPE).u8(SIZE)
                .u16(0)                   // Reserved
                .u32(gicId)               // GIC ID
                .u64(physicalBaseAddress) // Physical Base Address
                .u32(0)                   // System Vector Base: must be 0
                .u8(gicVersion)           // GIC version
                .zeros(3);                // Reserved
    }

    @Override
    public int size() {
        return SIZE;
    }
}
