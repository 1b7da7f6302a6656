package dev.linuxvm.engine.acpi.aml;

import java.util.List;

/** {@code Scope(path) { ... }} (ACPI 6.5 section 20.2.5.1, DefScope): ScopeOp PkgLength NameString TermList. */
public record Scope(NameString name, List<Aml> terms) implements Aml {
    public Scope {
        terms = List.copyOf(terms);
    }

    public static Scope of(String path, Aml... terms) {
        return new Scope(NameString.of(path), List.of(terms));
    }

    @Override
    public void emit(AmlSink sink) {
        sink.u8(AmlOpcodes.SCOPE_OP);
        PkgLength.emitPackage(sink, AmlBytes.of(prepend(name, terms)));
    }

    static Aml[] prepend(Aml first, List<Aml> rest) {
        Aml[] all = new Aml[rest.size() + 1];
        all[0] = first;
        for (int i = 0; i < rest.size(); i++) {
            all[i + 1] = rest.get(i);
        }
        return all;
    }
}
