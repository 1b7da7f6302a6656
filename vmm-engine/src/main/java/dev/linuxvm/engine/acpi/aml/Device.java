package dev.linuxvm.engine.acpi.aml;

import java.util.List;

/**
 * {@code Device(path) { ... }} (ACPI 6.5 section 20.2.5.2, DefDevice): ExtOpPrefix DeviceOp
 * PkgLength NameString TermList.
 */
public record Device(NameString name, List<Aml> terms) implements Aml {
    public Device {
        terms = List.copyOf(terms);
    }

    public static Device of(String path, Aml... terms) {
        return new Device(NameString.of(path), List.of(terms));
    }

    @Override
    public void emit(AmlSink sink) {
        sink.u8(AmlOpcodes.EXT_OP_PREFIX);
        sink.u8(AmlOpcodes.DEVICE_OP);
        PkgLength.emitPackage(sink, AmlBytes.of(Scope.prepend(name, terms)));
    }
}
