package dev.linuxvm.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Forwards the CLI's stdin to the guest's serial console on a daemon thread. End of input just
 * stops the forwarding: the guest keeps running (a pipe that ends must not kill the VM).
 *
 * <p>With the escape key enabled (interactive runs), {@code Ctrl-A x} asks the CLI to quit and
 * {@code Ctrl-A Ctrl-A} sends one literal Ctrl-A; Ctrl-A before any other key sends both bytes.
 * The same keys as QEMU's {@code -nographic} console.
 */
final class ConsoleInputPump {
    /** Ctrl-A (ASCII SOH). */
    static final int ESCAPE = 0x01;
    static final int QUIT = 'x';

    private final InputStream in;
    private final OutputStream guest;
    private final boolean escapeKeys;
    private final Runnable onQuit;
    private final Gate gate;
    private boolean escaped;

    /** Blocks until the guest can take input. */
    @FunctionalInterface
    interface Gate {
        void await() throws InterruptedException;
    }

    ConsoleInputPump(InputStream in, OutputStream guest, boolean escapeKeys, Runnable onQuit) {
        this(in, guest, escapeKeys, onQuit, () -> { });
    }

    /**
     * @param gate passed before the first byte is forwarded: bytes that reach the UART before the
     *             kernel's serial driver has set it up are lost, so piped input waits for userspace
     */
    ConsoleInputPump(InputStream in, OutputStream guest, boolean escapeKeys, Runnable onQuit, Gate gate) {
        this.in = in;
        this.guest = guest;
        this.escapeKeys = escapeKeys;
        this.onQuit = onQuit;
        this.gate = gate;
    }

    Thread start() {
        Thread t = new Thread(this::run, "linuxvm-console-input");
        t.setDaemon(true);
        t.start();
        return t;
    }

    void run() {
        byte[] buf = new byte[4096];
        try {
            gate.await();
            int n;
            while ((n = in.read(buf)) >= 0) {
                Keys keys = escapeKeys ? filter(buf, n) : new Keys(Arrays.copyOf(buf, n), false);
                if (keys.toGuest().length > 0) {
                    guest.write(keys.toGuest());
                    guest.flush();
                }
                if (keys.quit()) {
                    onQuit.run();
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the VM ended (console socket closed) or stdin failed: nothing more to forward
        }
    }

    /** What {@code n} input bytes mean: the bytes for the guest (up to a Ctrl-A x), and whether to quit. */
    record Keys(byte[] toGuest, boolean quit) {
    }

    Keys filter(byte[] buf, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + 1);
        for (int i = 0; i < n; i++) {
            int b = buf[i] & 0xFF;
            if (escaped) {
                escaped = false;
                if (b == QUIT) {
                    return new Keys(out.toByteArray(), true);
                }
                if (b != ESCAPE) {
                    out.write(ESCAPE);
                }
                out.write(b);
            } else if (b == ESCAPE) {
                escaped = true;
            } else {
                out.write(b);
            }
        }
        return new Keys(out.toByteArray(), false);
    }
}
