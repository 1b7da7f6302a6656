package dev.linuxvm.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A QEMU child process whose serial console is its stdio; always killed on close. */
final class QemuProcess implements AutoCloseable {
    private static final int TAIL_LINES = 25;

    private final Process process;
    private final long startNanos = System.nanoTime();
    private final StringBuilder transcript = new StringBuilder();
    private final OutputStream stdin;
    private final List<String> command;
    private final Thread reader;

    private QemuProcess(List<String> command) throws IOException {
        this.command = command;
        this.process = new ProcessBuilder(command).redirectErrorStream(true).start();
        this.stdin = process.getOutputStream();
        reader = new Thread(this::pump, "qemu-console-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static QemuProcess start(List<String> command) throws IOException {
        return new QemuProcess(command);
    }

    private void pump() {
        byte[] buf = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (transcript) {
                    transcript.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    transcript.notifyAll();
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    /** Waits until the console shows {@code text}; returns the time since QEMU started. */
    Duration awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (transcript) {
            boolean exited = false;
            while (transcript.indexOf(text) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || exited) {
                    throw new AssertionError("console did not show '" + text + "' within " + timeout.toSeconds() + " s"
                        + (process.isAlive() ? "" : " (QEMU exited with status " + process.exitValue() + ")")
                        + "\ncommand: " + String.join(" ", command) + "\nlast console lines:\n" + tailLocked());
                }
                if (!process.isAlive()) {
                    exited = true; // one more short wait lets the reader drain what QEMU wrote last
                }
                transcript.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
            }
        }
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    void send(String line) throws IOException {
        stdin.write(line.getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** Waits for QEMU to exit and for the transcript to hold everything it wrote; returns its status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("QEMU did not exit within " + timeout.toSeconds() + " s after power-off was requested"
                + "\nlast console lines:\n" + tail());
        }
        reader.join(TimeUnit.SECONDS.toMillis(5)); // the reader reaches EOF once it has QEMU's last bytes
        return process.exitValue();
    }

    String transcript() {
        synchronized (transcript) {
            return transcript.toString();
        }
    }

    String tail() {
        synchronized (transcript) {
            return tailLocked();
        }
    }

    private String tailLocked() {
        String[] lines = transcript.toString().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - TAIL_LINES), lines.length));
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
