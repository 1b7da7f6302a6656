package dev.linuxvm.engine.efi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An {@code EFI_GUID} (UEFI 2.10, section 2.3.1 "Data Types", and appendix A): a 128-bit value
 * written in registry format {@code aabbccdd-eeff-gghh-iijj-kkllmmnnoopp}.
 */
public final class EfiGuid {
    /** Size in memory. */
    public static final int SIZE = 16;

    private static final Pattern FORMAT =
            Pattern.compile("\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}");

    /** UEFI 2.10, section 4.6.1 "Industry Standard Configuration Tables": ACPI 2.0+ RSDP. */
    public static final EfiGuid ACPI_20_TABLE_GUID = parse("8868e871-e4f1-11d3-bc22-0080c73c8881");
    /** UEFI 2.10, section 4.6.2 "EFI_RT_PROPERTIES_TABLE". */
    public static final EfiGuid EFI_RT_PROPERTIES_TABLE_GUID = parse("eb66918a-7eef-402a-842e-931d21c38ae9");

    private final byte[] bytes;

    private EfiGuid(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Parses registry format and encodes it as it sits in memory. This is the one place the
     * mixed-endian layout lives: the GUID is {@code {UINT32 Data1; UINT16 Data2; UINT16 Data3;
     * UINT8 Data4[8];}} (UEFI 2.10 appendix A), so on a little-endian machine the first three
     * groups of the text are byte-reversed, and the last two groups (Data4) are stored as
     * written. {@code 8868e871-e4f1-11d3-bc22-0080c73c8881} is
     * {@code 71 e8 68 88 f1 e4 d3 11 bc 22 00 80 c7 3c 88 81}.
     */
    public static EfiGuid parse(String text) {
        if (!FORMAT.matcher(text).matches()) {
            throw new EfiException("EFI GUID '" + text + "' is not in aabbccdd-eeff-gghh-iijj-kkllmmnnoopp form");
        }
        String[] g = text.split("-");
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) Long.parseLong(g[0], 16));     // Data1, little-endian
        b.putShort((short) Integer.parseInt(g[1], 16)); // Data2, little-endian
        b.putShort((short) Integer.parseInt(g[2], 16)); // Data3, little-endian
        String data4 = g[3] + g[4];                      // Data4[8], byte order as written
        for (int i = 0; i < 8; i++) {
            b.put((byte) Integer.parseInt(data4.substring(2 * i, 2 * i + 2), 16));
        }
        return new EfiGuid(b.array());
    }

    /** The 16 bytes as stored in memory. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    public void writeTo(ByteBuffer out) {
        out.put(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EfiGuid && Arrays.equals(bytes, ((EfiGuid) o).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder s = new StringBuilder(String.format("%08x-%04x-%04x-", b.getInt(), b.getShort() & 0xffff,
                b.getShort() & 0xffff));
        for (int i = 8; i < SIZE; i++) {
            if (i == 10) {
                s.append('-');
            }
            s.append(String.format("%02x", bytes[i] & 0xff));
        }
        return s.toString().toLowerCase(Locale.ROOT);
    }
}
