package dev.linuxvm.engine.acpi.aml;

/**
 * ASL {@code IO(Decode16|Decode10, min, max, alignment, length)}: the I/O Port Descriptor
 * (ACPI 6.5 section 6.4.2.5; small item 0x08, length 7): Information (bit 0 = 16-bit decode),
 * Range minimum base (16), Range maximum base (16), Base alignment (8), Range length (8).
 */
public record IoPort(boolean decode16, int min, int max, int alignment, int length) implements ResourceDescriptor {
    /** Small item name of the I/O Port Descriptor. */
    public static final int ITEM = 0x08;
    /** Bytes after the header byte. */
    public static final int LENGTH = 7;
    /** Total size including the header. */
    public static final int SIZE = 1 + LENGTH;

    public IoPort {
        check("min", min, 0xFFFF);
        check("max", max, 0xFFFF);
        check("alignment", alignment, 0xFF);
        check("length", length, 0xFF);
        if (max < min) {
            throw new AmlException("IO descriptor: max 0x" + Integer.toHexString(max) + " < min 0x"
                    + Integer.toHexString(min));
        }
    }

    /** {@code IO(Decode16, base, base, alignment, length)}: a fixed range. */
    public static IoPort fixed16(int base, int alignment, int length) {
        return new IoPort(true, base, base, alignment, length);
    }

    private static void check(String field, int v, int limit) {
        if (v < 0 || v > limit) {
            throw new AmlException("IO descriptor: " + field + " 0x" + Integer.toHexString(v) + " is outside 0-0x"
                    + Integer.toHexString(limit));
        }
    }

    @Override
    public void emit(AmlSink sink) {
        sink.u8(ResourceDescriptor.smallHeader(ITEM, LENGTH));
        sink.u8(decode16 ? 1 : 0);
        sink.u16(min);
        sink.u16(max);
        sink.u8(alignment);
        sink.u8(length);
    }
}
