package dev.linuxvm.engine.acpi;

/**
 * GIC Redistributor (GICR) Structure (ACPI 6.5 section 5.2.12.17, Table 5.42; type 0x0E, 16
 * bytes): Reserved (2), Discovery Range Base Address (64), Discovery Range Length (32). One
 * range holds every CPU's redistributor (GICv3: 0x20000 bytes each).
 */
public record Gicr(long discoveryRangeBaseAddress, long discoveryRangeLength) implements MadtEntry {
    public static final int TYPE = 0x0E;
    public static final int SIZE = 16;

    @Override
    public void write(TableWriter w) {
        w.u8(TYPE).u8(SIZE)
                .u16(0)                          // Reserved
                .u64(discoveryRangeBaseAddress)  // Discovery Range Base Address
                .u32(discoveryRangeLength);      // Discovery Range Length
    }

    @Override
    public int size() {
        return SIZE;
    }
}
