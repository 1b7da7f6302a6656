package dev.linuxvm.engine.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 64-byte arm64 Image header (Documentation/arch/arm64/booting.rst, section 4 "Call the
 * kernel image"). All fields are little-endian.
 *
 * @param code0       executable code (a branch, or "MZ" for EFI-stub kernels)
 * @param code1       executable code
 * @param text_offset Image load offset from a 2 MiB-aligned base
 * @param image_size  effective Image size (text + data + BSS), 0 before v3.17
 * @param flags       {@link #FLAG_BE}, {@link #FLAG_PAGE_SIZE_MASK}, {@link #FLAG_PHYS_PLACEMENT}
 * @param res2        reserved
 * @param res3        reserved
 * @param res4        reserved
 * @param magic       {@link #ARM64_IMAGE_MAGIC}
 * @param res5        reserved; EFI-stub kernels keep the PE/COFF header offset here
 */
public record Arm64ImageHeader(int code0, int code1, long text_offset, long image_size, long flags, long res2,
                               long res3, long res4, int magic, int res5) {
    public static final int SIZE = 64;
    /** Offset of {@code magic}: the header fields before it are 2 u32 + 6 u64. */
    public static final int MAGIC_OFFSET = 2 * Integer.BYTES + 6 * Long.BYTES;
    /** "ARM\x64" read as a little-endian u32. */
    public static final int ARM64_IMAGE_MAGIC = 0x644d5241;
    /** booting.rst: bit 0, kernel endianness (1 = big-endian). */
    public static final long FLAG_BE = 1L << 0;
    /** booting.rst: bits 1-2, kernel page size (0 unspecified, 1 4K, 2 16K, 3 64K). */
    public static final long FLAG_PAGE_SIZE_MASK = 3L << 1;
    public static final int FLAG_PAGE_SIZE_SHIFT = 1;
    /** booting.rst: bit 3, physical placement (0: 2 MiB-aligned base near the start of RAM; 1: anywhere). */
    public static final long FLAG_PHYS_PLACEMENT = 1L << 3;
    /** booting.rst: "image_size is zero and text_offset is 0x80000" for kernels before v3.17. */
    public static final long LEGACY_TEXT_OFFSET = 0x80000;

    /** Reads the header from the first {@link #SIZE} bytes; the caller checks the length. */
    public static Arm64ImageHeader read(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image, 0, SIZE).order(ByteOrder.LITTLE_ENDIAN);
        return new Arm64ImageHeader(b.getInt(), b.getInt(), b.getLong(), b.getLong(), b.getLong(), b.getLong(),
                b.getLong(), b.getLong(), b.getInt(), b.getInt());
    }

    /** Page size in bytes from the flags, or 0 when unspecified. */
    public int pageSize() {
        int field = (int) ((flags & FLAG_PAGE_SIZE_MASK) >>> FLAG_PAGE_SIZE_SHIFT);
        return field == 0 ? 0 : 4096 << (2 * (field - 1));
    }
}
