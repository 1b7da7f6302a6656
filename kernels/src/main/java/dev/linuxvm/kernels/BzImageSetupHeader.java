package dev.linuxvm.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The fields of an x86 bzImage's real-mode setup header that locate the compressed kernel
 * ({@code Documentation/arch/x86/boot.rst}, "The Real-Mode Kernel Header"; offsets are from the
 * start of the file). Only what the extractor needs is read.
 */
public record BzImageSetupHeader(int setup_sects, int boot_flag, int header, int version,
                                 long payload_offset, long payload_length) {

    /** Offset of {@code setup_sects} (1 byte): size of the setup in 512-byte sectors, minus one. */
    public static final int SETUP_SECTS = 0x1F1;
    /** Offset of {@code boot_flag} (2 bytes): 0xAA55. */
    public static final int BOOT_FLAG = 0x1FE;
    /** Offset of {@code header} (4 bytes): "HdrS". */
    public static final int HEADER = 0x202;
    /** Offset of {@code version} (2 bytes): boot protocol version, e.g. 0x020F. */
    public static final int VERSION = 0x206;
    /** Offset of {@code payload_offset} (4 bytes, protocol 2.08+), relative to the protected-mode code. */
    public static final int PAYLOAD_OFFSET = 0x248;
    /** Offset of {@code payload_length} (4 bytes, protocol 2.08+). */
    public static final int PAYLOAD_LENGTH = 0x24C;
    /** Bytes needed to read every field above. */
    public static final int SIZE = PAYLOAD_LENGTH + 4;

    /** "HdrS" little-endian. */
    public static final int HEADER_MAGIC = 0x53726448;
    /** The boot sector signature. */
    public static final int BOOT_FLAG_MAGIC = 0xAA55;
    /** payload_offset/payload_length exist from boot protocol 2.08. */
    public static final int MIN_VERSION = 0x0208;
    /** A sector of the real-mode setup. */
    public static final int SECTOR_SIZE = 512;
    /** "If this field is 0, the real value is 4" (boot.rst, setup_sects). */
    public static final int SETUP_SECTS_IF_ZERO = 4;

    public static BzImageSetupHeader parse(byte[] file) {
        if (file.length < SIZE) {
            throw new KernelFormatException("not a bzImage: only " + file.length + " bytes, a setup header needs " + SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        BzImageSetupHeader h = new BzImageSetupHeader(
            b.get(SETUP_SECTS) & 0xff,
            b.getShort(BOOT_FLAG) & 0xffff,
            b.getInt(HEADER),
            b.getShort(VERSION) & 0xffff,
            Integer.toUnsignedLong(b.getInt(PAYLOAD_OFFSET)),
            Integer.toUnsignedLong(b.getInt(PAYLOAD_LENGTH)));
        if (h.header != HEADER_MAGIC || h.boot_flag != BOOT_FLAG_MAGIC) {
            throw new KernelFormatException("not a bzImage: no \"HdrS\" setup header at 0x202 / 0xAA55 boot flag at 0x1FE");
        }
        if (h.version < MIN_VERSION) {
            throw new KernelFormatException("bzImage boot protocol " + Integer.toHexString(h.version)
                + " is older than 2.08 and does not describe its payload");
        }
        return h;
    }

    /** File offset of the protected-mode code: (setup_sects + 1) * 512. */
    public long protectedModeStart() {
        int sects = setup_sects == 0 ? SETUP_SECTS_IF_ZERO : setup_sects;
        return (long) (sects + 1) * SECTOR_SIZE;
    }

    /** File offset of the compressed payload. */
    public long payloadFileOffset() {
        return protectedModeStart() + payload_offset;
    }
}
