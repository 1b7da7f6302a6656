package dev.linuxvm.engine.acpi;

/**
 * Memory Affinity Structure (ACPI 6.5 section 5.2.16.2, Table 5.60; type 1, 40 bytes):
 * Proximity Domain (32), Reserved (16), Base Address Low/High, Length Low/High, Reserved (32),
 * Flags (bit 0 Enabled, bit 1 Hot Pluggable, bit 2 NonVolatile), Reserved (64).
 */
public record SratMemoryAffinity(long proximityDomain, long baseAddress, long length) implements SratEntry {
    public static final int TYPE = 1;
    public static final int SIZE = 40;
    /** Flags bit 0: Enabled. */
    public static final int ENABLED = 1;

    @Override
    public void write(TableWriter w) {
        w.u8(TYPE).u8(SIZE)
                .u32(proximityDomain) // Proximity Domain
                .u16(0)               // Reserved
                .u64(baseAddress)     // Base Address Low, High
                .u64(length)          // Length Low, High
                .u32(0)               // Reserved
                .u32(ENABLED)         // Flags
                .u64(0);              // Reserved
    }

    @Override
    public int size() {
        return SIZE;
    }
}
