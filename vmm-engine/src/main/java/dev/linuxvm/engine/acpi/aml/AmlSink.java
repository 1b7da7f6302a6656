package dev.linuxvm.engine.acpi.aml;

/**
 * Where AML bytes go. A byte collector ({@link AmlBytes}) and a running checksum
 * ({@link ChecksumSink}) are both sinks, so an object can be sized, stored or summed by the same
 * {@link Aml#emit} call.
 */
public interface AmlSink {
    /** Appends the low 8 bits of {@code b}. */
    void u8(int b);

    default void bytes(byte[] data) {
        for (byte b : data) {
            u8(b);
        }
    }

    /** Little-endian 16-bit value (AML and resource descriptors are little-endian). */
    default void u16(int v) {
        u8(v);
        u8(v >>> 8);
    }

    default void u32(long v) {
        u16((int) v);
        u16((int) (v >>> 16));
    }

    default void u64(long v) {
        u32(v);
        u32(v >>> 32);
    }
}
