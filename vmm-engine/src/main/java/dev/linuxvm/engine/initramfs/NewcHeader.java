package dev.linuxvm.engine.initramfs;

import java.nio.charset.StandardCharsets;

/**
 * One cpio "newc" (SVR4, no CRC) entry header: the magic {@code 070701} and thirteen 32-bit
 * fields, each written as eight ASCII hex digits. The path name (NUL-terminated) follows, padded
 * so that header + name is a multiple of 4; then the data, padded to a multiple of 4.
 *
 * <p>Format: Linux {@code Documentation/driver-api/early-userspace/buffer-format.rst} and the
 * reader in {@code init/initramfs.c}; field names as in that document.
 */
public record NewcHeader(
        long c_ino,
        long c_mode,
        long c_uid,
        long c_gid,
        long c_nlink,
        long c_mtime,
        long c_filesize,
        long c_maj,
        long c_min,
        long c_rmaj,
        long c_rmin,
        long c_namesize,
        long c_chksum) {

    /** The header's size in bytes: 6 magic characters + 13 fields * 8 hex digits. */
    public static final int SIZE = 110;
    /** The newc magic ("070701"); "070702" is the CRC variant, which we neither write nor need. */
    public static final String MAGIC = "070701";
    /** Name of the entry that ends an archive. */
    public static final String TRAILER = "TRAILER!!!";
    /** Both the name and the data are aligned to this many bytes. */
    public static final int ALIGNMENT = 4;

    private static final int FIELD_DIGITS = 8;
    private static final long FIELD_MAX = 0xFFFF_FFFFL;

    public NewcHeader {
        long[] all = {c_ino, c_mode, c_uid, c_gid, c_nlink, c_mtime, c_filesize, c_maj, c_min,
            c_rmaj, c_rmin, c_namesize, c_chksum};
        for (long v : all) {
            if (v < 0 || v > FIELD_MAX) {
                throw new CpioException("cpio newc header field out of range: " + v
                    + " (each field is 32 bits; files larger than 4 GiB do not fit in newc)");
            }
        }
    }

    /** The 110 header bytes. */
    public byte[] toBytes() {
        StringBuilder sb = new StringBuilder(SIZE).append(MAGIC);
        for (long v : new long[] {c_ino, c_mode, c_uid, c_gid, c_nlink, c_mtime, c_filesize,
                c_maj, c_min, c_rmaj, c_rmin, c_namesize, c_chksum}) {
            String hex = Long.toHexString(v).toUpperCase(java.util.Locale.ROOT);
            sb.append("0".repeat(FIELD_DIGITS - hex.length())).append(hex);
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses a header from {@code buf[offset .. offset+SIZE)}. */
    public static NewcHeader parse(byte[] buf, int offset) {
        if (offset < 0 || buf.length - offset < SIZE) {
            throw new CpioException("truncated cpio archive: header at offset " + offset
                + " needs " + SIZE + " bytes, " + Math.max(0, buf.length - offset) + " left");
        }
        String magic = new String(buf, offset, MAGIC.length(), StandardCharsets.US_ASCII);
        if (!MAGIC.equals(magic)) {
            throw new CpioException("not a cpio newc header at offset " + offset + ": magic '"
                + printable(magic) + "', expected '" + MAGIC + "' (only the newc format is supported)");
        }
        long[] f = new long[13];
        for (int i = 0; i < f.length; i++) {
            int at = offset + MAGIC.length() + i * FIELD_DIGITS;
            String hex = new String(buf, at, FIELD_DIGITS, StandardCharsets.US_ASCII);
            try {
                f[i] = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new CpioException("corrupt cpio newc header at offset " + offset
                    + ": field " + i + " is '" + printable(hex) + "', not 8 hex digits");
            }
        }
        return new NewcHeader(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10],
            f[11], f[12]);
    }

    /** Rounds {@code n} up to the next multiple of {@link #ALIGNMENT}. */
    public static long align(long n) {
        return (n + ALIGNMENT - 1) & -ALIGNMENT;
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
