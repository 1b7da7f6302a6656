package dev.linuxvm.launcher;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A host file or directory to place at {@code guest} in the guest before boot, through an overlay
 * initramfs ({@link GuestFilesOverlay}). A directory is copied recursively.
 *
 * @param host  the host file or directory
 * @param guest the absolute guest path it becomes
 * @param mode  permission bits of the guest file (of every regular file, for a directory), or
 *              {@link #HOST_MODE}: 0755 when the host file is executable by its owner, else 0644
 */
public record GuestFile(Path host, String guest, int mode) {
    /** Take the mode from the host file's owner-execute bit. */
    public static final int HOST_MODE = -1;

    public GuestFile {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(guest, "guest");
        if (mode != HOST_MODE && (mode & ~07777) != 0) {
            throw new IllegalArgumentException(describe(host, guest) + ": mode 0" + Integer.toOctalString(mode)
                    + " has bits outside 07777");
        }
    }

    /** A file placed with the host file's mode. */
    public static GuestFile of(Path host, String guest) {
        return new GuestFile(host, guest, HOST_MODE);
    }

    /** "host -> guest", how error messages name the entry. */
    @Override
    public String toString() {
        return describe(host, guest) + (mode == HOST_MODE ? "" : " (mode 0" + Integer.toOctalString(mode) + ")");
    }

    static String describe(Path host, String guest) {
        return host + " -> " + guest;
    }
}
