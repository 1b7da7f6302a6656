package dev.linuxvm.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The header of an EFI "zboot" kernel (arm64 {@code CONFIG_EFI_ZBOOT}): a PE/COFF file ("MZ")
 * carrying "zimg" at offset 4, the compressed payload's offset and size, and the compressor's
 * name ({@code drivers/firmware/efi/libstub/zboot-header.S}).
 */
public record ZbootHeader(long payload_offset, long payload_size, String comp_type) {
    /** Offset of the "zimg" marker. */
    public static final int ZIMG = 4;
    /** Offset of payload_offset (u32, from the start of the file). */
    public static final int PAYLOAD_OFFSET = 8;
    /** Offset of payload_size (u32). */
    public static final int PAYLOAD_SIZE = 12;
    /** Offset of comp_type, a NUL-terminated string ("gzip", "zstd", ...). */
    public static final int COMP_TYPE = 24;
    /** Room for comp_type. */
    public static final int COMP_TYPE_MAX = 32;
    /** Bytes read. */
    public static final int SIZE = COMP_TYPE + COMP_TYPE_MAX;

    public static boolean isZboot(byte[] f) {
        return f.length >= SIZE && f[0] == 'M' && f[1] == 'Z'
            && f[ZIMG] == 'z' && f[ZIMG + 1] == 'i' && f[ZIMG + 2] == 'm' && f[ZIMG + 3] == 'g';
    }

    public static ZbootHeader parse(byte[] f) {
        if (!isZboot(f)) {
            throw new KernelFormatException("not an EFI zboot image: no \"MZ\" + \"zimg\" header");
        }
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        int len = 0;
        while (len < COMP_TYPE_MAX && f[COMP_TYPE + len] != 0) {
            len++;
        }
        return new ZbootHeader(Integer.toUnsignedLong(b.getInt(PAYLOAD_OFFSET)),
            Integer.toUnsignedLong(b.getInt(PAYLOAD_SIZE)),
            new String(f, COMP_TYPE, len, StandardCharsets.US_ASCII));
    }
}
