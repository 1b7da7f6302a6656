package dev.linuxvm.engine.initramfs;

/**
 * The file-type bits of {@code c_mode} ({@code S_IFMT} and friends, octal, from
 * {@code include/uapi/linux/stat.h}).
 */
public enum FileType {
    REGULAR(0100000),
    DIRECTORY(0040000),
    SYMLINK(0120000),
    CHAR_DEVICE(0020000),
    BLOCK_DEVICE(0060000),
    FIFO(0010000),
    SOCKET(0140000);

    /** {@code S_IFMT}: the mask selecting the type bits. */
    public static final int S_IFMT = 0170000;
    /** Permission and set-id/sticky bits: everything below the type. */
    public static final int PERMISSION_MASK = 07777;

    private final int bits;

    FileType(int bits) {
        this.bits = bits;
    }

    /** The type bits as they appear in {@code c_mode}. */
    public int bits() {
        return bits;
    }

    /** The type encoded in a {@code c_mode} value. */
    public static FileType of(long mode) {
        int t = (int) (mode & S_IFMT);
        for (FileType type : values()) {
            if (type.bits == t) {
                return type;
            }
        }
        throw new CpioException("unknown file type bits 0" + Integer.toOctalString(t) + " in mode 0"
            + Long.toOctalString(mode));
    }
}
