package dev.linuxvm.engine.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Appends little-endian fields (every ACPI table is little-endian, ACPI 6.5 section 5.2). */
public final class TableWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public TableWriter u8(int v) {
        out.write(v);
        return this;
    }

    public TableWriter u16(int v) {
        return u8(v).u8(v >>> 8);
    }

    public TableWriter u32(long v) {
        return u16((int) v).u16((int) (v >>> 16));
    }

    public TableWriter u64(long v) {
        return u32(v).u32(v >>> 32);
    }

    public TableWriter bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public TableWriter zeros(int n) {
        return bytes(new byte[n]);
    }

    /** {@code text} as ASCII, exactly {@code length} bytes; shorter text is space-padded. */
    public TableWriter ascii(String text, int length) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        if (b.length > length) {
            throw new AcpiException("ACPI field '" + text + "' is longer than " + length + " characters");
        }
        bytes(b);
        for (int i = b.length; i < length; i++) {
            u8(' ');
        }
        return this;
    }

    public int position() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    /** Sum of {@code data[from..to)} modulo 256. */
    public static int sum(byte[] data, int from, int to) {
        int s = 0;
        for (int i = from; i < to; i++) {
            s += data[i];
        }
        return s & 0xFF;
    }

    /** The byte that makes {@code data[from..to)} sum to zero when stored at {@code at} (inside the range, holding 0). */
    public static void putChecksum(byte[] data, int from, int to, int at) {
        data[at] = 0;
        data[at] = (byte) -sum(data, from, to);
    }

    static void putU32(byte[] data, int at, long v) {
        for (int i = 0; i < 4; i++) {
            data[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
