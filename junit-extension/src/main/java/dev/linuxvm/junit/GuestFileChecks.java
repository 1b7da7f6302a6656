package dev.linuxvm.junit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What both ways of moving files ({@link ConsoleFiles} over the console, {@link DataPortFiles}
 * over the data port) ask of the guest's shell to check a copy, and how they fail: the guest
 * file's size and SHA-256, a command's status, and a {@link FileTransferException} with the
 * console's tail and the report directory.
 */
final class GuestFileChecks {
    private static final Pattern SHA256 = Pattern.compile("^([0-9a-f]{64})\\s", Pattern.MULTILINE);
    /**
     * A line the kernel printed on the console, its printk timestamp first. The guest's shell
     * shares the console with the kernel, and a late kernel message (the clocksource switch at
     * 1.7 s, a module's banner) lands between the lines of a command's output.
     */
    private static final Pattern KERNEL_LINE = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\] .*(\\R|\\z)", Pattern.MULTILINE);

    private final SerialConsole console;

    GuestFileChecks(SerialConsole console) {
        this.console = console;
    }

    /** The size in bytes of the guest file at {@code quoted} (a {@link ConsoleFiles#quote}d path). */
    long guestSize(String what, String quoted) {
        ExecResult sized = console.exec("wc -c < " + quoted);
        check(sized, what + ": cannot read the guest file");
        try {
            return size(sized.output());
        } catch (NumberFormatException e) {
            throw failure(what + ": `" + sized.command() + "` printed no size: " + sized.output());
        }
    }

    /** The number {@code wc -c} printed in {@code output}, past any kernel message among its lines. */
    static long size(String output) {
        return Long.parseLong(withoutKernelLines(output).strip());
    }

    /** {@code output} without the lines the kernel printed among it ({@link #KERNEL_LINE}). */
    static String withoutKernelLines(String output) {
        return KERNEL_LINE.matcher(output).replaceAll("");
    }

    /** The SHA-256 of the guest file at {@code quoted}, as the guest's sha256sum prints it. */
    String guestSha256(String what, String quoted) {
        ExecResult r = console.exec("sha256sum " + quoted);
        check(r, what + ": sha256sum failed in the guest");
        Matcher m = SHA256.matcher(r.output());
        if (!m.find()) {
            throw failure(what + ": unexpected sha256sum output: " + r.output());
        }
        return m.group(1);
    }

    /** Fails with {@code what}, the command, its status and output unless it succeeded. */
    void check(ExecResult r, String what) {
        if (!r.succeeded()) {
            throw failure(what + ": `" + r.command() + "` exited with " + r.exitStatus() + ": " + r.output());
        }
    }

    FileTransferException failure(String message) {
        List<String> tail = console.tail(SerialConsole.TAIL_LINES);
        return new FileTransferException(message + "\n  report:   " + console.reportDir(), String.join("\n", tail));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
