package dev.linuxvm.engine.acpi;

/**
 * Processor Local APIC/SAPIC Affinity Structure (ACPI 6.5 section 5.2.16.1, Table 5.59; type 0,
 * 16 bytes): Proximity Domain [7:0], APIC ID, Flags (bit 0 Enabled), Local SAPIC EID,
 * Proximity Domain [31:8], Clock Domain.
 */
public record SratLocalApicAffinity(long proximityDomain, int apicId) implements SratEntry {
    public static final int TYPE = 0;
    public static final int SIZE = 16;
    /** Flags bit 0: Enabled. */
    public static final int ENABLED = 1;

    @Override
    public void write(TableWriter w) {
        w.u8(TYPE).u8(SIZE)
                .u8((int) proximityDomain)            // Proximity Domain [7:0]
                .u8(apicId)                           // APIC ID
                .u32(ENABLED)                         // Flags
                .u8(0)                                // Local SAPIC EID
                .u8((int) (proximityDomain >>> 8))    // Proximity Domain [31:8]
                .u16((int) (proximityDomain >>> 16))
                .u32(0);                              // Clock Domain
    }

    @Override
    public int size() {
        return SIZE;
    }
}
