package dev.linuxvm.engine.acpi.aml;

/** A String constant (ACPI 6.5 section 20.2.3): StringPrefix, ASCII chars 0x01-0x7F, NUL. */
public record AmlString(String value) implements Aml {
    public AmlString {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x01 || c > 0x7F) {
                throw new AmlException("AML string '" + value + "': character 0x" + Integer.toHexString(c)
                        + " at " + i + " is outside ASCII 0x01-0x7F");
            }
        }
    }

    public static AmlString of(String value) {
        return new AmlString(value);
    }

    @Override
    public void emit(AmlSink sink) {
        sink.u8(AmlOpcodes.STRING_PREFIX);
        for (int i = 0; i < value.length(); i++) {
            sink.u8(value.charAt(i));
        }
        sink.u8(0);
    }
}
