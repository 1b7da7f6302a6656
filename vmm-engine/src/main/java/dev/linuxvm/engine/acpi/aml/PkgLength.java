package dev.linuxvm.engine.acpi.aml;

/** The PkgLength encoding (ACPI 6.5 section 20.2.4, "Package Length Encoding"). */
public final class PkgLength {
    private PkgLength() {
    }

    /** Largest total length a 4-byte PkgLength can express (28 bits). */
    public static final int MAX_LENGTH = (1 << 28) - 1;

    /**
     * Encodes the PkgLength for {@code contentLength} bytes that follow it. The encoded value
     * counts the PkgLength bytes themselves, so the form is chosen for the total:
     * <ul>
     * <li>1 byte when the total is below 0x40: bits 7-6 = 0, bits 5-0 = the length;</li>
     * <li>2-4 bytes otherwise: bits 7-6 of the lead byte = number of following bytes (1-3),
     * bits 3-0 = the low nibble of the length, bits 5-4 zero; each following byte carries the
     * next 8 bits (total &gt;&gt; 4, &gt;&gt; 12, &gt;&gt; 20). Limits: 2 bytes 0xFFF, 3 bytes
     * 0xFFFFF, 4 bytes 0xFFFFFFF.</li>
     * </ul>
     */
    public static byte[] encode(int contentLength) {
        if (contentLength < 0) {
            throw new AmlException("PkgLength: negative content length " + contentLength);
        }
        if (contentLength + 1 < 0x40) {
            return new byte[] {(byte) (contentLength + 1)};
        }
        for (int following = 1; following <= 3; following++) {
            long total = (long) contentLength + 1 + following;
            if (total < (1L << (4 + 8 * following))) {
                byte[] out = new byte[1 + following];
                out[0] = (byte) ((following << 6) | (total & 0x0F));
                for (int i = 1; i <= following; i++) {
                    out[i] = (byte) (total >>> (4 + 8 * (i - 1)));
                }
                return out;
            }
        }
        throw new AmlException("PkgLength: " + contentLength + " bytes exceed the 28-bit AML package limit ("
                + MAX_LENGTH + "); split the object");
    }

    /** Emits {@code PkgLength, body} (the caller wrote the opcode) with the PkgLength measured from {@code body}. */
    static void emitPackage(AmlSink sink, byte[] body) {
        sink.bytes(encode(body.length));
        sink.bytes(body);
    }
}
