package dev.linuxvm.engine.acpi.aml;

/**
 * An AML object (ACPI 6.5 chapter 20, "ACPI Machine Language Specification") that can write its
 * encoding into a sink. Implementations are immutable records; nesting objects builds a tree
 * whose encoding is computed at emit time (so package lengths are always exact).
 */
public interface Aml {
    void emit(AmlSink sink);

    /** This object's encoding. */
    default byte[] toBytes() {
        AmlBytes sink = new AmlBytes();
        emit(sink);
        return sink.toByteArray();
    }
}
