package dev.linuxvm.launcher;

import dev.linuxvm.engine.backend.ConsoleListener;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Console output kept until a listener is {@link #attach attached}, then handed on in order:
 * for a guest started before anyone listens to it ({@link Launcher.Booted}).
 */
final class HeldConsole implements ConsoleListener {
    private ByteArrayOutputStream held = new ByteArrayOutputStream();
    private ConsoleListener listener;

    @Override
    public synchronized void onOutput(byte[] buffer, int offset, int length) {
        if (listener != null) {
            listener.onOutput(buffer, offset, length);
        } else {
            held.write(buffer, offset, length);
        }
    }

    /** What is held so far, as ISO-8859-1 text; empty once a listener is attached (for tests). */
    synchronized String held() {
        return held == null ? "" : held.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Gives {@code to} what was held, then everything after it. Under the lock the backend's
     * thread takes for each write, so nothing is handed on out of order.
     */
    synchronized void attach(ConsoleListener to) {
        Objects.requireNonNull(to, "to");
        if (listener != null) {
            throw new IllegalStateException("a listener is attached already");
        }
        byte[] before = held.toByteArray();
        held = null;
        listener = to;
        if (before.length > 0) {
            to.onOutput(before, 0, before.length);
        }
    }
}
