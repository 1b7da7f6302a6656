package dev.linuxvm.lab;

import dev.linuxvm.engine.backend.ConsoleListener;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

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
        text.append(new String(buffer, offset, length, StandardCharsets.ISO_8859_1).replace("\r", ""));
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

    /**
     * Waits until {@code literal} appears after the cursor and moves the cursor past it.
     *
     * @throws LabFailure on timeout or when the guest ended first, with the last lines
     */
    synchronized void await(String literal, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int at = text.indexOf(literal, cursor);
            if (at >= 0) {
                cursor = at + literal.length();
                return;
            }
            if (ended != null) {
                throw new LabFailure("the guest ended (" + ended + ") before printing \"" + literal + "\"", tail(15));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new LabFailure("no \"" + literal + "\" within " + timeout.toSeconds() + " s", tail(15));
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    synchronized String text() {
        return text.toString();
    }

    /** The last {@code n} lines, for failure diagnostics. */
    synchronized java.util.List<String> tail(int n) {
        java.util.List<String> all = text.toString().lines().toList();
        return all.subList(Math.max(0, all.size() - n), all.size());
    }
}
