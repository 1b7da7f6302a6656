package dev.linuxvm.cli;

import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.kernels.ConsoleInterleaving;
import dev.linuxvm.kernels.GuestInitramfs;

import java.io.OutputStream;
import java.io.IOException;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Copies the guest console to the CLI's output unchanged and reads it line by line for what
 * decides the exit status: the {@code linuxvm: exit N} line of the exec overlay, a kernel panic,
 * and the last line (quoted when the run times out). Called on the backend's thread; read from
 * the CLI's thread.
 *
 * <p>A kernel message can land inside a line a process is printing ({@link ConsoleInterleaving}):
 * {@code linuxvm: exit 0[    2.557328] clocksource: Switched to clocksource tsc} and then the
 * exit line's own newline. Such a message is read as a line of its own, and the text before it
 * is joined to the line that follows the message, which is where the rest of the process's line
 * comes.
 */
final class ConsoleWatcher implements ConsoleListener {
    /**
     * The exec overlay's status ({@link GuestInitramfs#EXIT_MARKER_PREFIX} + the status) at the
     * end of a line: after the command's own output when that did not end in a newline
     * ({@code cat /proc/device-tree/model} prints "linuxvm virt" without one).
     */
    private static final Pattern EXIT_LINE =
            Pattern.compile(Pattern.quote(GuestInitramfs.EXIT_MARKER_PREFIX) + "(\\d{1,3})\\s*$");
    /** kernel/panic.c: {@code pr_emerg("Kernel panic - not syncing: %s\n", buf)}. */
    private static final String PANIC = "Kernel panic - ";
    /** kernel/panic.c: {@code pr_emerg("---[ end Kernel panic - not syncing: %s ]---\n", buf)}. */
    private static final String PANIC_END = "---[ end Kernel panic";
    /** printk's "[    1.234567] " prefix. */
    private static final Pattern TIMESTAMP = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\]\\s*");
    private static final int MAX_LINE = 4096;

    private final OutputStream out;
    private final StringBuilder line = new StringBuilder();
    private String lastLine = "";
    /** A process's unfinished line that a kernel message broke into; its rest follows the message. */
    private String broken;
    private String panicLine;
    private long panicEndNanos;
    private Integer execStatus;
    private final CountDownLatch ready = new CountDownLatch(1);

    ConsoleWatcher(OutputStream out) {
        this.out = out;
    }

    @Override
    public void onOutput(byte[] buffer, int offset, int length) {
        try {
            out.write(buffer, offset, length);
            out.flush();
        } catch (IOException e) {
            // stdout closed (e.g. piped into head): keep watching so the exit status stays right
        }
        synchronized (this) {
            for (int i = offset; i < offset + length; i++) {
                char c = (char) (buffer[i] & 0xFF);
                if (c == '\n') {
                    endLine();
                } else if (c != '\r' && line.length() < MAX_LINE) {
                    line.append(c);
                }
            }
        }
    }

    private void endLine() {
        String raw = line.toString();
        line.setLength(0);
        int inside = ConsoleInterleaving.messageInside(raw);
        if (inside > 0) {
            broken = (broken == null ? "" : broken) + raw.substring(0, inside);
            read(clean(raw.substring(inside)));
        } else if (broken != null && ConsoleInterleaving.PREFIX.matcher(raw).lookingAt()) {
            read(clean(raw)); // another kernel message before the rest of the broken line
        } else if (broken != null) {
            String joined = broken + raw;
            broken = null;
            read(clean(joined));
        } else {
            read(clean(raw));
        }
    }

    private void read(String l) {
        if (l.isEmpty()) {
            return;
        }
        lastLine = l;
        if (l.equals(GuestInitramfs.READY_MARKER)) {
            ready.countDown();
        }
        Matcher m = EXIT_LINE.matcher(l);
        if (m.find()) {
            execStatus = Integer.parseInt(m.group(1));
        }
        int p = l.indexOf(PANIC);
        if (panicLine == null && p >= 0 && !l.contains(PANIC_END)) {
            panicLine = l.substring(p);
        }
        if (l.contains(PANIC_END) && panicEndNanos == 0) {
            panicEndNanos = System.nanoTime();
        }
    }

    /** Printable text without the printk timestamp. */
    private static String clean(CharSequence raw) {
        StringBuilder s = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            s.append(c < 0x20 || c == 0x7F ? ' ' : c);
        }
        return TIMESTAMP.matcher(s.toString().strip()).replaceFirst("");
    }

    /** The last non-empty console line, or the unfinished one if there is text after it. */
    synchronized String lastLine() {
        String partial = clean((broken == null ? "" : broken) + line);
        return partial.isEmpty() ? lastLine : partial;
    }

    /** Blocks until the default initramfs has printed {@link GuestInitramfs#READY_MARKER}. */
    void awaitUserspace() throws InterruptedException {
        ready.await();
    }

    /** The {@code Kernel panic - ...} line, if the guest panicked. */
    synchronized String panicLine() {
        return panicLine;
    }

    /** {@link System#nanoTime()} when the panic's closing line appeared, 0 before. */
    synchronized long panicEndNanos() {
        return panicEndNanos;
    }

    /** The status of the last {@code linuxvm: exit N} line. */
    synchronized OptionalInt execStatus() {
        if (broken != null) {
            Matcher m = EXIT_LINE.matcher(clean(broken)); // the guest ended before the line's rest came
            if (m.find()) {
                return OptionalInt.of(Integer.parseInt(m.group(1)));
            }
        }
        return execStatus == null ? OptionalInt.empty() : OptionalInt.of(execStatus);
    }
}
