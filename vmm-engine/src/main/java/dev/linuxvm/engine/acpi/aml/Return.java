package dev.linuxvm.engine.acpi.aml;

/** {@code Return(value)} (ACPI 6.5 section 20.2.5.3, DefReturn): ReturnOp ArgObject. */
public record Return(Aml value) implements Aml {
    public static Return of(Aml value) {
        return new Return(value);
    }

    public static Return of(long value) {
        return new Return(AmlInteger.of(value));
    }

    @Override
    public void emit(AmlSink sink) {
        sink.u8(AmlOpcodes.RETURN_OP);
        value.emit(sink);
    }
}
