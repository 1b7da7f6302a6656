package dev.linuxvm.engine.initramfs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One entry read back from a newc archive (see {@link CpioReader}).
 *
 * @param name     the path as stored (no leading slash when written by {@link CpioWriter})
 * @param header   the raw header fields
 * @param data     the entry's data: file contents, or a symlink's target
 */
public record CpioEntry(String name, NewcHeader header, byte[] data) {

    public FileType type() {
        return FileType.of(header.c_mode());
    }

    /** Permission bits ({@code c_mode & 07777}). */
    public int permissions() {
        return (int) (header.c_mode() & FileType.PERMISSION_MASK);
    }

    /** A symlink's target. */
    public String linkTarget() {
        if (type() != FileType.SYMLINK) {
            throw new CpioException("cpio entry '" + name + "' is a " + type() + ", not a symlink");
        }
        return new String(data, StandardCharsets.UTF_8);
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpioEntry e && e.name.equals(name) && e.header.equals(header)
            && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return type() + " " + name + " 0" + Integer.toOctalString(permissions()) + " (" + data.length + " bytes)";
    }
}
