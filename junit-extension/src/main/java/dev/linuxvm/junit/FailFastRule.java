package dev.linuxvm.junit;

import dev.linuxvm.kernels.ConsoleInterleaving;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;

/**
 * Which console lines count as the kernel reporting a failure.
 *
 * <p>A line counts when it starts with a marker, after an optional printk prefix, and is not
 * a piece of what the host typed. The prefix is what printk writes before each record on a
 * console (kernel/printk/printk.c, {@code info_print_prefix}): the time {@code [%5lu.%06lu]}
 * (CONFIG_PRINTK_TIME), then the caller {@code [%6s]} such as {@code [    T1]}
 * (CONFIG_PRINTK_CALLER), then one space. Leading carriage returns are skipped.
 *
 * <p>Why pieces of typed text never count: the terminal echoes what the host sends, and
 * busybox ash wraps a long input line at the terminal width, so a continuation line of the
 * echo can begin with a marker the host typed inside quotes. Such a line is a substring of the
 * typed text; a kernel line is not.
 */
final class FailFastRule {
    /** A line that counts: {@code index} is where its marker starts. */
    record Hit(int index, String marker, String line) {
    }

    /** A search's outcome: the first counting line (or null) and where the next search starts. */
    record Scan(Hit hit, int resume) {
    }

    /** Longest printk prefix, {@code [99999.999999][ T99999] }, rounded up: the reach of an undecided line. */
    private static final int PREFIX_REACH = 32;

    private FailFastRule() {
    }

    /**
     * Searches the lines of {@code text[scanFrom, to)} for the first that counts and whose
     * marker starts at or after {@code from}. {@code scanFrom} is a line start or a previous
     * {@link Scan#resume()}; a resume inside a line means "the start of this line is decided":
     * only kernel messages that land inside it from there on are still read. An unfinished last
     * line stays undecided (resume at its start) while it is too short to hold a prefix and a
     * marker, or while it reads as typed text: the rest may still make it a kernel line. {@code
     * typed} says whether a line (CR removed) is a piece of the host's input.
     *
     * <p>A kernel message can also start inside a line ({@link ConsoleInterleaving}), after a
     * prompt or a piece of a process's output: {@code ~ # [   12.000000] BUG: ...}. Such a
     * message counts like a line of its own, from its printk time prefix.
     */
    static Scan find(CharSequence text, int from, int scanFrom, int to, List<String> markers, Predicate<String> typed) {
        int reach = PREFIX_REACH + markers.stream().mapToInt(String::length).max().orElse(0);
        int lineStart = scanFrom;
        if (lineStart > 0 && lineStart < to && text.charAt(lineStart - 1) != '\n') {
            int nl = indexOf(text, '\n', lineStart, to);
            int lineEnd = nl < 0 ? to : nl;
            Hit inside = messageInside(text, lineStart(text, lineStart), lineStart, lineEnd, from, markers, typed);
            if (inside != null) {
                return new Scan(inside, lineStart);
            }
            if (nl < 0) {
                return new Scan(null, Math.max(lineStart, to - reach));
            }
            lineStart = nl + 1;
        }
        while (lineStart < to) {
            int nl = indexOf(text, '\n', lineStart, to);
            int lineEnd = nl < 0 ? to : nl;
            int start = lineStart;
            while (start < lineEnd && text.charAt(start) == '\r') {
                start++;
            }
            int at = afterPrintkPrefix(text, start, lineEnd);
            String marker = at < from ? null : markerAt(text, at, lineEnd, markers);
            boolean wasTyped = false;
            if (marker != null) {
                String line = text.subSequence(start, lineEnd).toString().replace("\r", "");
                wasTyped = typed.test(line);
                if (!wasTyped) {
                    return new Scan(new Hit(at, marker, line), lineStart);
                }
            }
            Hit inside = messageInside(text, start, start + 1, lineEnd, from, markers, typed);
            if (inside != null) {
                return new Scan(inside, lineStart);
            }
            if (nl < 0) {
                if (wasTyped || lineEnd - lineStart < reach) {
                    return new Scan(null, lineStart);
                }
                // decided from its start; a message may still come inside it, its prefix cut here
                return new Scan(null, Math.max(lineStart + 1, to - reach));
            }
            lineStart = nl + 1;
        }
        return new Scan(null, lineStart);
    }

    /**
     * The first kernel message that starts in {@code text[scanFrom, lineEnd)}, inside the line
     * that starts at {@code lineStart} (after text that is not blank), and counts.
     */
    private static Hit messageInside(CharSequence text, int lineStart, int scanFrom, int lineEnd, int from,
                                     List<String> markers, Predicate<String> typed) {
        int regionStart = Math.max(scanFrom, lineStart + 1);
        if (regionStart >= lineEnd) {
            return null;
        }
        Matcher m = ConsoleInterleaving.PREFIX.matcher(text);
        m.region(regionStart, lineEnd);
        m.useTransparentBounds(true);
        while (m.find()) {
            if (m.end() < from || text.subSequence(lineStart, m.start()).toString().isBlank()) {
                continue;
            }
            String marker = markerAt(text, m.end(), lineEnd, markers);
            if (marker != null) {
                String message = text.subSequence(m.start(), lineEnd).toString().replace("\r", "");
                if (!typed.test(message)) {
                    return new Hit(m.end(), marker, message);
                }
            }
        }
        return null;
    }

    /** Where the line holding {@code index} starts (0 if the window begins inside it). */
    static int lineStart(CharSequence text, int index) {
        int i = index;
        while (i > 0 && text.charAt(i - 1) != '\n') {
            i--;
        }
        return i;
    }

    private static String markerAt(CharSequence text, int at, int end, List<String> markers) {
        for (String marker : markers) {
            if (startsWith(text, at, end, marker)) {
                return marker;
            }
        }
        return null;
    }

    private static int indexOf(CharSequence text, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** Index just past {@code [ssss.uuuuuu]}, {@code [  Tnnn]}, both, and one space; {@code at} when there is no prefix. */
    static int afterPrintkPrefix(CharSequence text, int at, int end) {
        int p = bracketed(text, at, end, true);
        p = bracketed(text, p, end, false);
        return p > at && p < end && text.charAt(p) == ' ' ? p + 1 : at;
    }

    /** Past {@code [ *digits.digits]} (time) or {@code [ *[CT]digits]} (caller) at {@code p}, else {@code p}. */
    private static int bracketed(CharSequence text, int p, int end, boolean time) {
        int i = p;
        if (i >= end || text.charAt(i++) != '[') {
            return p;
        }
        while (i < end && text.charAt(i) == ' ') {
            i++;
        }
        if (!time) {
            if (i >= end || (text.charAt(i) != 'T' && text.charAt(i) != 'C')) {
                return p;
            }
            i++;
        }
        int digits = i;
        while (i < end && Character.isDigit(text.charAt(i))) {
            i++;
        }
        if (i == digits) {
            return p;
        }
        if (time) {
            if (i >= end || text.charAt(i++) != '.') {
                return p;
            }
            int fraction = i;
            while (i < end && Character.isDigit(text.charAt(i))) {
                i++;
            }
            if (i == fraction) {
                return p;
            }
        }
        return i < end && text.charAt(i) == ']' ? i + 1 : p;
    }

    private static boolean startsWith(CharSequence text, int at, int end, String marker) {
        if (at + marker.length() > end) {
            return false;
        }
        for (int i = 0; i < marker.length(); i++) {
            if (text.charAt(at + i) != marker.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
