package dev.linuxvm.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

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
    private boolean escaped;

    ConsoleInputPump(InputStream in, OutputStream guest, boolean escapeKeys, Runnable onQuit) {
        this.in = in;
        this.guest = guest;
        this.escapeKeys = escapeKeys;
        this.onQuit = onQuit;
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
            int n;
            while ((n = in.read(buf)) >= 0) {
                byte[] toGuest = escapeKeys ? filter(buf, n) : java.util.Arrays.copyOf(buf, n);
                if (toGuest == null) {
                    onQuit.run();
                    return;
                }
                if (toGuest.length > 0) {
                    guest.write(toGuest);
                    guest.flush();
                }
            }
        } catch (IOException e) {
            // the VM ended (console socket closed) or stdin failed: nothing more to forward
        }
    }

    /** The bytes to send for {@code n} input bytes, or {@code null} on Ctrl-A x. */
    byte[] filter(byte[] buf, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + 1);
        for (int i = 0; i < n; i++) {
            int b = buf[i] & 0xFF;
            if (escaped) {
                escaped = false;
                if (b == QUIT) {
                    return null;
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
        return out.toByteArray();
    }
}
