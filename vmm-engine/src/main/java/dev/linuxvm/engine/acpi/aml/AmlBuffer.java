package dev.linuxvm.engine.acpi.aml;

/**
 * A Buffer (ACPI 6.5 section 20.2.5.4, DefBuffer): BufferOp PkgLength BufferSize ByteList, with
 * BufferSize the byte count as an integer term.
 */
public record AmlBuffer(byte[] data) implements Aml {
    public AmlBuffer {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public void emit(AmlSink sink) {
        AmlBytes body = new AmlBytes();
        AmlInteger.of(data.length).emit(body);
        body.bytes(data);
        sink.u8(AmlOpcodes.BUFFER_OP);
        PkgLength.emitPackage(sink, body.toByteArray());
    }
}
