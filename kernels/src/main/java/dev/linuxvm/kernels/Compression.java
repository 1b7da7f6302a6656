package dev.linuxvm.kernels;

/**
 * The compressors Linux can use for a kernel payload, recognised by their magic bytes (each
 * tool's file-format documentation; the kernel's {@code lib/decompress.c} table lists the same
 * magics).
 */
public enum Compression {
    /** RFC 1952 member header: ID1 ID2 = 1f 8b. */
    GZIP(new byte[] {0x1f, (byte) 0x8b}),
    /** LZ4 legacy frame ({@code lz4 -l}), magic 0x184C2102 little-endian. */
    LZ4_LEGACY(new byte[] {0x02, 0x21, 0x4c, 0x18}),
    /** xz container: FD '7' 'z' 'X' 'Z' 00. */
    XZ(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0x00}),
    /** Zstandard frame, magic 0xFD2FB528 little-endian. */
    ZSTD(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}),
    /** bzip2: "BZh". */
    BZIP2(new byte[] {'B', 'Z', 'h'}),
    /** lzop: 89 'L' 'Z' 'O'. */
    LZO(new byte[] {(byte) 0x89, 'L', 'Z', 'O'}),
    /** Legacy .lzma header as the kernel's {@code lib/decompress.c} matches it: 5d 00. */
    LZMA(new byte[] {0x5d, 0x00});

    private final byte[] magic;

    Compression(byte[] magic) {
        this.magic = magic;
    }

    /** The compressor whose magic starts {@code data} at {@code offset}, or {@code null}. */
    public static Compression detect(byte[] data, int offset) {
        for (Compression c : values()) {
            if (c.matchesAt(data, offset)) {
                return c;
            }
        }
        return null;
    }

    boolean matchesAt(byte[] data, int offset) {
        if (offset < 0 || data.length - offset < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (data[offset + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** How the user's tools name it ("xz", "zstd"). */
    public String toolName() {
        switch (this) {
            case LZ4_LEGACY: return "lz4";
            default: return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
