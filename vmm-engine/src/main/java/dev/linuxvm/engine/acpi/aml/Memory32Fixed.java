package dev.linuxvm.engine.acpi.aml;

/**
 * ASL {@code Memory32Fixed(ReadWrite|ReadOnly, base, length)}: the 32-Bit Fixed Memory Range
 * Descriptor (ACPI 6.5 section 6.4.3.4; large item 0x06, length 9): Information (bit 0 =
 * read-write), Range base address (32), Range length (32).
 */
public record Memory32Fixed(boolean readWrite, long base, long length) implements ResourceDescriptor {
    /** Large item name of the 32-Bit Fixed Memory Range Descriptor. */
    public static final int ITEM = 0x06;
    /** Bytes after the 3-byte header. */
    public static final int LENGTH = 9;
    /** Total size including the header. */
    public static final int SIZE = 3 + LENGTH;

    public Memory32Fixed {
        if (base < 0 || base > 0xFFFF_FFFFL || length < 0 || length > 0xFFFF_FFFFL) {
            throw new AmlException("Memory32Fixed: base 0x" + Long.toHexString(base) + " / length 0x"
                    + Long.toHexString(length) + " must fit 32 bits; use a QWord memory descriptor");
        }
    }

    @Override
    public void emit(AmlSink sink) {
        sink.u8(ResourceDescriptor.largeHeader(ITEM));
        sink.u16(LENGTH);
        sink.u8(readWrite ? 1 : 0);
        sink.u32(base);
        sink.u32(length);
    }
}
