package dev.linuxvm.engine.acpi;

/**
 * Interrupt Source Override Structure (ACPI 6.5 section 5.2.12.5, Table 5.25; type 2, 10
 * bytes): Bus (0 = ISA), Source (ISA IRQ), Global System Interrupt (32), Flags (MPS INTI flags,
 * Table 5.26: bits 1-0 polarity 00 conforms / 01 active high / 11 active low, bits 3-2 trigger
 * 00 conforms / 01 edge / 11 level).
 */
public record InterruptSourceOverride(int source, long globalSystemInterrupt, int flags) implements MadtEntry {
    public static final int TYPE = 2;
    public static final int SIZE = 10;
    /** Bus: ISA. */
    public static final int BUS_ISA = 0;
    /** MPS INTI flags: polarity and trigger conform to the bus (ISA: edge, active high). */
    public static final int CONFORMS = 0;
    /** MPS INTI flags: polarity active high. */
    public static final int ACTIVE_HIGH = 0b01;
    /** MPS INTI flags: polarity active low. */
    public static final int ACTIVE_LOW = 0b11;
    /** MPS INTI flags: edge-triggered. */
    public static final int EDGE = 0b01 << 2;
    /** MPS INTI flags: level-triggered. */
    public static final int LEVEL = 0b11 << 2;

    @Override
    public void write(TableWriter w) {
        w.u8(TYPE).u8(SIZE)
                .u8(BUS_ISA)                // Bus
                .u8(source)                 // Source
                .u32(globalSystemInterrupt) // Global System Interrupt
                .u16(flags);                // Flags
    }

    @Override
    public int size() {
        return SIZE;
    }
}
