package dev.linuxvm.engine.acpi.aml;

/** {@code Name(path, object)} (ACPI 6.5 section 20.2.5.1, DefName): NameOp NameString DataRefObject. */
public record Name(NameString name, Aml value) implements Aml {
    public static Name of(String path, Aml value) {
        return new Name(NameString.of(path), value);
    }

    /** {@code Name(path, integer)}. */
    public static Name of(String path, long value) {
        return of(path, AmlInteger.of(value));
    }

    /** {@code Name(path, "string")}. */
    public static Name of(String path, String value) {
        return of(path, AmlString.of(value));
    }

    @Override
    public void emit(AmlSink sink) {
        sink.u8(AmlOpcodes.NAME_OP);
        name.emit(sink);
        value.emit(sink);
    }
}
