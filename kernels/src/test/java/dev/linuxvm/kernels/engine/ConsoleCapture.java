package dev.linuxvm.kernels.engine;

import dev.linuxvm.engine.backend.ConsoleListener;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Collects a guest's console output and lets a test wait for a string in it. */
final class ConsoleCapture implements ConsoleListener {
    private final StringBuilder text = new StringBuilder();
    private final long startNanos = System.nanoTime();

    @Override
    public synchronized void onOutput(byte[] buffer, int offset, int length) {
        text.append(new String(buffer, offset, length, StandardCharsets.ISO_8859_1));
        notifyAll();
    }

    /** Waits until {@code needle} has appeared; returns the time since this capture was created. */
    synchronized Duration await(String needle, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (text.indexOf(needle) < 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("no '" + needle + "' on the console within " + timeout
                        + "; last lines:\n" + tail(40));
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    synchronized String text() {
        return text.toString().replace("\r", "");
    }

    synchronized String tail(int lines) {
        String[] all = text().split("\n");
        StringBuilder s = new StringBuilder();
        for (int i = Math.max(0, all.length - lines); i < all.length; i++) {
            s.append(all[i]).append('\n');
        }
        return s.toString();
    }
}
