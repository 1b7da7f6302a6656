package dev.linuxvm.lab;

import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.kernels.ConsoleInterleaving;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A level-2 guest's console inside the lab: every complete line is printed at once on the
 * lab's own stdout as {@code L2|<scenario>|<line>} (the host files those lines per scenario,
 * the KTAP parser ignores them), and the text is kept for {@link #await}.
 *
 * <p>Waits are searches of the text after a cursor, woken by new output or by the guest's end
 * ({@link #ended}); no polling.
 */
final class LabConsole implements ConsoleListener {
    /** Prefix of every level-2 console line on the lab's stdout. */
    static final String PREFIX = "L2|";

    private final String scenario;
    private final PrintStream out;
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private int cursor;
    /** Where the text's last line starts. */
    private int textLineStart;
    /** Where kernel messages start inside a line ({@link ConsoleInterleaving}), in order: rare. */
    private final List<Integer> messagesInside = new ArrayList<>();
    private String ended;

    LabConsole(String scenario, PrintStream out) {
        this.scenario = scenario;
        this.out = out;
    }

    @Override
    public synchronized void onOutput(byte[] buffer, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = buffer[i];
            if (b == '\n') {
                flushLine();
            } else if (b != '\r') {
                line.write(b);
            }
        }
        int appended = text.length();
        text.append(new String(buffer, offset, length, StandardCharsets.ISO_8859_1).replace("\r", ""));
        for (int nl = text.indexOf("\n", appended); nl >= 0; nl = text.indexOf("\n", nl + 1)) {
            int inside = ConsoleInterleaving.messageInside(text.subSequence(textLineStart, nl));
            if (inside > 0) {
                messagesInside.add(textLineStart + inside);
            }
            textLineStart = nl + 1;
        }
        notifyAll();
    }

    private void flushLine() {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        synchronized (out) {
            out.println(PREFIX + scenario + "|" + s);
        }
    }

    /** The guest ended ({@code why}); wakes every wait. */
    synchronized void ended(String why) {
        if (ended == null) {
            ended = why;
            if (line.size() > 0) {
                flushLine();
            }
        }
        notifyAll();
    }

    /** The first kernel message inside a line at or after {@code from}, or -1. */
    private int firstMessageInside(int from) {
        for (int start : messagesInside) {
            if (start >= from) {
                return start;
            }
        }
        return -1;
    }

    /**
     * Waits until {@code literal} appears after the cursor, also with kernel messages inside it
     * ({@link ConsoleInterleaving}: a nested guest is slow, and late messages are many), and
     * moves the cursor past it.
     *
     * @throws LabFailure on timeout or when the guest ended first, with the last lines
     */
    synchronized void await(String literal, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Pattern pattern = null;
        while (true) {
            // The plain search first: it is cheap, and the console wakes this wait at every
            // chunk (often a byte at a time: our UART models deliver at each exit). The tolerant
            // one only where a match can hold a kernel message that broke into a line: at most
            // the literal's length before the first such message after the cursor.
            int at = text.indexOf(literal, cursor);
            int message = firstMessageInside(cursor);
            int from = Math.max(cursor, message - literal.length());
            if (message >= 0 && (at < 0 || from < at)) {
                pattern = pattern == null ? ConsoleInterleaving.tolerant(literal) : pattern;
                Matcher m = pattern.matcher(text);
                if (m.find(from) && (at < 0 || m.start() < at)) {
                    cursor = m.end();
                    return;
                }
            }
            if (at >= 0) {
                cursor = at + literal.length();
                return;
            }
            if (ended != null) {
                throw LabFailure.guestLost("the guest ended (" + ended + ") before printing \"" + literal + "\"", tail(15));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                List<String> details = new ArrayList<>(tail(15));
                details.addAll(vcpuThreads());
                throw LabFailure.guestLost("no \"" + literal + "\" within " + timeout.toSeconds() + " s", details);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /**
     * Where this process's vCPU threads are when a wait times out, so that a guest that went
     * silent (seen once in the x86_64 lab: 2 vCPUs, quiet mid-line for minutes) says whether it
     * sits in KVM_RUN or in our code: each Java thread named {@code *-vcpu-*} (KvmRunningVm) with
     * its top frames, and each task of this process whose name has "vcpu" with its kernel wait
     * channel and stack ({@code /proc/self/task/TID/wchan}, {@code stack}; the stack needs root,
     * which level 1's init is). Empty when no guest of ours runs (QEMU's benchmark guests).
     */
    static List<String> vcpuThreads() {
        List<String> lines = new ArrayList<>();
        Thread.getAllStackTraces().forEach((t, frames) -> {
            if (t.getName().contains("-vcpu-")) {
                lines.add("thread " + t.getName() + ": " + t.getState());
                for (int i = 0; i < Math.min(6, frames.length); i++) {
                    lines.add("    at " + frames[i]);
                }
            }
        });
        Path tasks = Path.of("/proc/self/task");
        try (Stream<Path> list = Files.list(tasks)) {
            for (Path task : list.sorted().toList()) {
                String comm = readProc(task.resolve("comm"));
                if (comm.contains("vcpu")) {
                    lines.add("task " + task.getFileName() + " (" + comm + "): wchan " + readProc(task.resolve("wchan")));
                    readProc(task.resolve("stack")).lines().limit(12).forEach(l -> lines.add("    " + l));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            lines.add("cannot list " + tasks + ": " + e.getMessage());
        }
        return lines;
    }

    private static String readProc(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    synchronized String text() {
        return text.toString();
    }

    /** The last {@code n} lines, for failure diagnostics. */
    synchronized List<String> tail(int n) {
        List<String> all = text.toString().lines().toList();
        return all.subList(Math.max(0, all.size() - n), all.size());
    }
}
