package dev.linuxvm.engine.boot.x86;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A kernel command line that validates as it grows: no NUL or other control characters
 * (the kernel stops at NUL and splits on whitespace), and the total, including the
 * terminating NUL, within {@link #limit()} (x86: COMMAND_LINE_SIZE, 2048).
 * Immutable: {@link #add} returns a new instance.
 */
public final class KernelCmdline {
    private final String text;
    private final int limit;

    private KernelCmdline(String text, int limit) {
        this.text = text;
        this.limit = limit;
    }

    /** An empty command line with the x86 limit {@link X86Layout#CMDLINE_MAX_SIZE}. */
    public static KernelCmdline empty() {
        return new KernelCmdline("", X86Layout.CMDLINE_MAX_SIZE);
    }

    /** An empty command line whose size including the NUL must stay within {@code limit}. */
    public static KernelCmdline withLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("command line limit must leave room for the NUL: " + limit);
        }
        return new KernelCmdline("", limit);
    }

    /** Parses a whole command line (for example from the user), validating it like {@link #add}. */
    public static KernelCmdline of(String cmdline) {
        KernelCmdline result = empty();
        for (String word : cmdline.trim().split("\\s+")) {
            if (!word.isEmpty()) {
                result = result.add(word);
            }
        }
        return result;
    }

    /** Appends one parameter ("console=ttyS0", "quiet"), separated by a space. */
    public KernelCmdline add(String parameter) {
        if (parameter.isEmpty()) {
            throw new X86BootException("kernel command line: empty parameter: pass a word such as console=ttyS0");
        }
        for (int i = 0; i < parameter.length(); i++) {
            char c = parameter.charAt(i);
            if (c == 0) {
                throw new X86BootException("kernel command line: parameter '" + parameter.replace("\0", "\\0")
                        + "' contains a NUL byte, which would end the command line there: remove it");
            }
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new X86BootException(String.format(
                        "kernel command line: parameter '%s' contains whitespace or control character U+%04X:"
                                + " add each parameter separately", parameter, (int) c));
            }
        }
        String next = text.isEmpty() ? parameter : text + ' ' + parameter;
        int size = next.getBytes(StandardCharsets.UTF_8).length + 1;
        if (size > limit) {
            throw new X86BootException(String.format(
                    "kernel command line is %d bytes including its NUL, over the limit of %d"
                            + " (COMMAND_LINE_SIZE): shorten it (adding '%s')", size, limit, abbreviate(parameter)));
        }
        return new KernelCmdline(next, limit);
    }

    /** The parameter as quoted in messages: long ones are cut so the error stays one readable line. */
    private static String abbreviate(String parameter) {
        return parameter.length() <= 60 ? parameter : parameter.substring(0, 57) + "...";
    }

    /** Appends {@code key=value}. */
    public KernelCmdline add(String key, String value) {
        return add(key + '=' + value);
    }

    public int limit() {
        return limit;
    }

    /** The command line without its NUL. */
    @Override
    public String toString() {
        return text;
    }

    /** UTF-8 bytes with the terminating NUL, as they go to {@link X86Layout#CMDLINE_START}. */
    public byte[] toBytes() {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(utf8, utf8.length + 1);
    }
}
