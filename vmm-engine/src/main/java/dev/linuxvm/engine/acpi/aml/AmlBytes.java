package dev.linuxvm.engine.acpi.aml;

import java.io.ByteArrayOutputStream;

/** An {@link AmlSink} that keeps the bytes. */
public final class AmlBytes implements AmlSink {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @Override
    public void u8(int b) {
        out.write(b);
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    public int size() {
        return out.size();
    }

    /** The encoding of {@code objects}, one after another. */
    public static byte[] of(Aml... objects) {
        AmlBytes sink = new AmlBytes();
        for (Aml object : objects) {
            object.emit(sink);
        }
        return sink.toByteArray();
    }
}
