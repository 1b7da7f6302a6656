package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.backend.ConsoleListener;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Collects console bytes; waits for text with a message that quotes the transcript. */
final class CapturingConsole implements ConsoleListener {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void onOutput(byte[] buffer, int offset, int length) {
        bytes.write(buffer, offset, length);
        notifyAll();
    }

    synchronized String text() {
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    synchronized void await(String expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!text().contains(expected)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("console did not show '" + expected + "' within " + timeout
                        + "; transcript: '" + text() + "'");
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
