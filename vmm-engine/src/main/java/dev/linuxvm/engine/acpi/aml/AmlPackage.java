package dev.linuxvm.engine.acpi.aml;

import java.util.List;

/**
 * {@code Package() { ... }} (ACPI 6.5 section 20.2.5.4, DefPackage): PackageOp PkgLength
 * NumElements (one byte, so at most 255 elements) PackageElementList.
 */
public record AmlPackage(List<Aml> elements) implements Aml {
    public AmlPackage {
        elements = List.copyOf(elements);
        if (elements.size() > 255) {
            throw new AmlException("AML Package: " + elements.size() + " elements exceed 255; use a VarPackage");
        }
    }

    public static AmlPackage of(Aml... elements) {
        return new AmlPackage(List.of(elements));
    }

    /** A package of integers, each in its shortest encoding. */
    public static AmlPackage ofIntegers(long... values) {
        Aml[] elements = new Aml[values.length];
        for (int i = 0; i < values.length; i++) {
            elements[i] = AmlInteger.of(values[i]);
        }
        return of(elements);
    }

    @Override
    public void emit(AmlSink sink) {
        AmlBytes body = new AmlBytes();
        body.u8(elements.size());
        for (Aml element : elements) {
            element.emit(body);
        }
        sink.u8(AmlOpcodes.PACKAGE_OP);
        PkgLength.emitPackage(sink, body.toByteArray());
    }
}
