package dev.linuxvm.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 64-byte header at the start of an arm64 {@code Image}
 * ({@code Documentation/arch/arm64/booting.rst}, "Call the kernel image"). Little-endian.
 */
public record Arm64ImageHeader(int code0, int code1, long text_offset, long image_size, long flags,
                               int magic, int res5) {
    /** Header size. */
    public static final int SIZE = 64;
    /** Offset of {@code text_offset} (u64). */
    public static final int TEXT_OFFSET = 8;
    /** Offset of {@code image_size} (u64). */
    public static final int IMAGE_SIZE = 16;
    /** Offset of {@code flags} (u64). */
    public static final int FLAGS = 24;
    /** Offset of {@code magic} (u32). */
    public static final int MAGIC = 0x38;
    /** Offset of {@code res5}: the PE header offset when the EFI stub is built in. */
    public static final int RES5 = 0x3C;
    /** "ARM\x64" little-endian. */
    public static final int MAGIC_VALUE = 0x644d5241;
    /** flags bit 0: kernel endianness, 1 = big-endian. */
    public static final long FLAG_BE = 1L << 0;
    /** flags bits 1-2: page size, 1 = 4K, 2 = 16K, 3 = 64K. */
    public static final int FLAG_PAGE_SIZE_SHIFT = 1;
    /** flags bit 3: the image may be placed anywhere in physical memory. */
    public static final long FLAG_PHYS_PLACEMENT_ANYWHERE = 1L << 3;

    /** True when {@code file} carries the Image magic. */
    public static boolean isImage(byte[] file) {
        return file.length >= SIZE
            && ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(MAGIC) == MAGIC_VALUE;
    }

    public static Arm64ImageHeader parse(byte[] file) {
        if (!isImage(file)) {
            throw new KernelFormatException("not an arm64 Image: no \"ARM\\x64\" magic at offset 0x38");
        }
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        return new Arm64ImageHeader(b.getInt(0), b.getInt(4), b.getLong(TEXT_OFFSET), b.getLong(IMAGE_SIZE),
            b.getLong(FLAGS), b.getInt(MAGIC), b.getInt(RES5));
    }

    /** Page size in bytes from flags bits 1-2, or 0 when "unspecified". */
    public int pageSize() {
        switch ((int) (flags >>> FLAG_PAGE_SIZE_SHIFT) & 3) {
            case 1: return 4096;
            case 2: return 16384;
            case 3: return 65536;
            default: return 0;
        }
    }

    public boolean littleEndian() {
        return (flags & FLAG_BE) == 0;
    }
}
