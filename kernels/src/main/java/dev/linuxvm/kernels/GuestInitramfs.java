package dev.linuxvm.kernels;

import dev.linuxvm.engine.initramfs.CpioWriter;
import java.nio.charset.StandardCharsets;

/**
 * The initramfs contract every linuxvm guest follows.
 *
 * <p>The base archive holds busybox at {@code /bin/busybox}, {@code /dev/console} (so the kernel
 * can open the initial console before devtmpfs is mounted) and {@code /init}. {@code /init}
 * mounts proc, sysfs and devtmpfs, prints {@value #READY_MARKER}, then:
 * <ul>
 *   <li>if {@value #EXEC_PATH} exists (added by an overlay archive appended to the base, see
 *       {@link #execOverlay(String)}), runs it, prints {@code linuxvm: exit <status>} and powers
 *       off;</li>
 *   <li>otherwise runs an interactive shell with job control on the console (prompt
 *       {@value #PROMPT}) and powers off when it exits.</li>
 * </ul>
 */
public final class GuestInitramfs {
    /** Printed by /init once userspace runs. */
    public static final String READY_MARKER = "linuxvm: userspace ready";
    /** Printed after the exec overlay's command, followed by its exit status. */
    public static final String EXIT_MARKER_PREFIX = "linuxvm: exit ";
    /** Shell prompt of the interactive console. */
    public static final String PROMPT = "~ # ";
    /** Where an overlay puts the command to run instead of the shell. */
    public static final String EXEC_PATH = "/linuxvm/exec";
    /**
     * Revision of this layout; part of the cache key, so changing /init re-provisions.
     */
    public static final int REVISION = 2;

    /** First inode of overlays, well above any base archive's, so inode numbers stay unique. */
    private static final long OVERLAY_FIRST_INODE = 1_000_000;
    /** /dev/console: character device 5:1 ({@code Documentation/admin-guide/devices.txt}). */
    private static final int TTYAUX_MAJOR = 5;
    private static final int CONSOLE_MINOR = 1;

    static final String INIT_SCRIPT = String.join("\n",
        "#!/bin/busybox sh",
        "# linuxvm guest init (revision " + REVISION + ")",
        "/bin/busybox --install -s",
        "export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=vt100",
        "mount -t proc proc /proc",
        "mount -t sysfs sysfs /sys",
        "mount -t devtmpfs devtmpfs /dev",
        "echo '" + READY_MARKER + "'",
        "if [ -e " + EXEC_PATH + " ]; then",
        "  sh " + EXEC_PATH + " </dev/console >/dev/console 2>&1",
        "  echo \"" + EXIT_MARKER_PREFIX + "$?\"",
        "else",
        "  cd /root",
        "  # cttyhack opens the real console tty (ttyS0/ttyAMA0) so job control and ^C work.",
        "  PS1='\\w \\$ ' setsid cttyhack sh -l",
        "fi",
        "poweroff -f",
        "");

    private GuestInitramfs() {
    }

    /** The base archive (gzip) for one arch's statically linked busybox binary. */
    public static byte[] base(byte[] busyboxStatic) {
        CpioWriter w = new CpioWriter();
        for (String dir : new String[] {"bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "root", "etc", "linuxvm"}) {
            w.addDirectory(dir, dir.equals("tmp") ? 01777 : 0755);
        }
        w.addCharDevice("dev/console", 0600, TTYAUX_MAJOR, CONSOLE_MINOR);
        w.addFile("bin/busybox", 0755, busyboxStatic);
        w.addSymlink("bin/sh", "busybox");
        // ash's \w prints "~" for the home directory it finds in /etc/passwd.
        w.addFile("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\n");
        w.addFile("etc/group", 0644, "root:x:0:\n");
        w.addFile("init", 0755, INIT_SCRIPT);
        return w.toGzip();
    }

    /**
     * An overlay archive (gzip) adding {@value #EXEC_PATH}, a script that runs
     * {@code shellCommand} with busybox sh. Append it to the base archive's bytes (see
     * {@link #withOverlay}); the kernel unpacks both.
     */
    public static byte[] execOverlay(String shellCommand) {
        if (shellCommand.isBlank()) {
            throw new IllegalArgumentException("exec overlay needs a command, got a blank string");
        }
        String script = "#!/bin/sh\n" + shellCommand + "\n";
        return new CpioWriter(OVERLAY_FIRST_INODE)
            .addFile(EXEC_PATH, 0755, script.getBytes(StandardCharsets.UTF_8))
            .toGzip();
    }

    /** {@code base} followed by {@code overlay}: one initrd the kernel unpacks in order. */
    public static byte[] withOverlay(byte[] base, byte[] overlay) {
        byte[] out = new byte[Math.addExact(base.length, overlay.length)];
        System.arraycopy(base, 0, out, 0, base.length);
        System.arraycopy(overlay, 0, out, base.length, overlay.length);
        return out;
    }
}
