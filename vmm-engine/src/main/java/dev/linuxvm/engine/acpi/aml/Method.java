package dev.linuxvm.engine.acpi.aml;

import java.util.List;

/**
 * {@code Method(path, argCount, Serialized|NotSerialized, syncLevel) { ... }} (ACPI 6.5 section
 * 20.2.5.2, DefMethod): MethodOp PkgLength NameString MethodFlags TermList. MethodFlags: bits 2-0
 * ArgCount (0-7), bit 3 SerializeFlag, bits 7-4 SyncLevel (0-15).
 */
public record Method(NameString name, int argCount, boolean serialized, int syncLevel, List<Aml> terms)
        implements Aml {
    public Method {
        if (argCount < 0 || argCount > 7) {
            throw new AmlException("Method " + name.path() + ": argCount " + argCount + " is outside 0-7");
        }
        if (syncLevel < 0 || syncLevel > 15) {
            throw new AmlException("Method " + name.path() + ": syncLevel " + syncLevel + " is outside 0-15");
        }
        terms = List.copyOf(terms);
    }

    /** A NotSerialized method with sync level 0. */
    public static Method of(String path, int argCount, Aml... terms) {
        return new Method(NameString.of(path), argCount, false, 0, List.of(terms));
    }

    /** The MethodFlags byte. */
    public int flags() {
        return argCount | (serialized ? 1 << 3 : 0) | (syncLevel << 4);
    }

    @Override
    public void emit(AmlSink sink) {
        AmlBytes body = new AmlBytes();
        name.emit(body);
        body.u8(flags());
        for (Aml term : terms) {
            term.emit(body);
        }
        sink.u8(AmlOpcodes.METHOD_OP);
        PkgLength.emitPackage(sink, body.toByteArray());
    }
}
