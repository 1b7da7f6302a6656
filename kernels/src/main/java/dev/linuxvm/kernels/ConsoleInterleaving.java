package dev.linuxvm.kernels;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kernel messages inside a process's line on a Linux guest's serial console.
 *
 * <p>The kernel writes its console messages straight to the UART, while what a process prints
 * goes through the tty and its driver's transmit buffer; the two meet only at the port, a
 * character at a time. So a message the kernel prints while a process is writing a line lands
 * inside that line, and the rest of the line follows the message's own newline:
 * {@code linuxvm: exit 0[    2.557328] clocksource: Switched to clocksource tsc\r\n\r\n} (seen
 * with the guest slowed down), or {@code ~ # [   12.000000] BUG: ...} after a prompt. A message
 * is atomic: the kernel writes it whole under the port's lock, so only a process's line is ever
 * broken.
 *
 * <p>Recognising a message by its printk time prefix ({@code "[%5lu.%06lu] "},
 * CONFIG_PRINTK_TIME, which Debian's kernels have) is a heuristic: a process that prints such a
 * prefix inside a line is read the same way, and a kernel without the prefix is not recognised.
 */
public final class ConsoleInterleaving {
    /**
     * printk's prefix as the kernel writes it: the time, with CONFIG_PRINTK_CALLER the caller
     * ({@code [    T1]}), then one space (kernel/printk/printk.c, {@code info_print_prefix}).
     */
    public static final Pattern PREFIX = Pattern.compile("\\[ *\\d{1,10}\\.\\d{6}\\](?:\\[ *[CT]\\d{1,10}\\])? ");
    /** Regex of one kernel message through its newline, as it appears inside a process's line. */
    public static final String MESSAGE_REGEX = "(?:" + PREFIX.pattern() + "[^\\n]*\\n)";

    private ConsoleInterleaving() {
    }

    /**
     * A regex for {@code literal} as a process printed it, with any number of kernel messages
     * between any two of its characters (none before the first or after the last).
     */
    public static String tolerantRegex(String literal) {
        StringBuilder r = new StringBuilder(literal.length() * (MESSAGE_REGEX.length() + 8));
        for (int i = 0; i < literal.length(); i++) {
            if (i > 0) {
                r.append(MESSAGE_REGEX).append('*');
            }
            r.append(Pattern.quote(String.valueOf(literal.charAt(i))));
        }
        return r.toString();
    }

    /** {@link #tolerantRegex} compiled. */
    public static Pattern tolerant(String literal) {
        return Pattern.compile(tolerantRegex(literal));
    }

    /**
     * Where the first kernel message starting inside a line of {@code line} (which holds no
     * newline) begins, after some text that is not blank; -1 when there is none.
     */
    public static int messageInside(CharSequence line) {
        Matcher m = PREFIX.matcher(line);
        int from = 1;
        while (from < line.length() && m.find(from)) {
            if (!line.subSequence(0, m.start()).toString().isBlank()) {
                return m.start();
            }
            from = m.start() + 1;
        }
        return -1;
    }

    /**
     * {@code text} without the kernel messages that start inside a line (each through its
     * newline, or to the end of the text), and those that follow one directly, before the rest
     * of the line: the processes' lines whole again. Other messages that start a line stay.
     */
    public static String withoutMessagesInside(CharSequence text) {
        Matcher m = PREFIX.matcher(text);
        StringBuilder out = null;
        int copied = 0;
        int from = 0;
        while (from < text.length() && m.find(from)) {
            int at = m.start();
            char before = at == 0 ? '\n' : text.charAt(at - 1);
            if (before == '\n' || at < copied) {
                from = at + 1;
                continue;
            }
            int end = messageEnd(text, m.end());
            while (end < text.length() && m.find(end) && m.start() == end) {
                end = messageEnd(text, m.end()); // the next message, still before the rest of the line
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, copied, at);
            copied = end;
            from = end;
        }
        if (out == null) {
            return text.toString();
        }
        return out.append(text, copied, text.length()).toString();
    }

    /** Just past the newline at or after {@code from}, or the end of the text. */
    private static int messageEnd(CharSequence text, int from) {
        int nl = indexOf(text, '\n', from);
        return nl < 0 ? text.length() : nl + 1;
    }

    private static int indexOf(CharSequence text, char c, int from) {
        for (int i = from; i < text.length(); i++) {
            if (text.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }
}
