package dev.linuxvm.engine.acpi.aml;

/**
 * An integer constant in its shortest encoding (ACPI 6.5 section 20.2.3, "Data Objects
 * Encoding"): ZeroOp, OneOp, OnesOp (all 64 bits set), else BytePrefix, WordPrefix, DWordPrefix
 * or QWordPrefix with the value little-endian. The value is an unsigned 64-bit quantity.
 */
public record AmlInteger(long value) implements Aml {
    public static AmlInteger of(long value) {
        return new AmlInteger(value);
    }

    @Override
    public void emit(AmlSink sink) {
        if (value == 0) {
            sink.u8(AmlOpcodes.ZERO_OP);
        } else if (value == 1) {
            sink.u8(AmlOpcodes.ONE_OP);
        } else if (value == -1L) {
            sink.u8(AmlOpcodes.ONES_OP);
        } else if ((value & ~0xFFL) == 0) {
            sink.u8(AmlOpcodes.BYTE_PREFIX);
            sink.u8((int) value);
        } else if ((value & ~0xFFFFL) == 0) {
            sink.u8(AmlOpcodes.WORD_PREFIX);
            sink.u16((int) value);
        } else if ((value & ~0xFFFF_FFFFL) == 0) {
            sink.u8(AmlOpcodes.DWORD_PREFIX);
            sink.u32(value);
        } else {
            sink.u8(AmlOpcodes.QWORD_PREFIX);
            sink.u64(value);
        }
    }
}
