package dev.linuxvm.cli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Puts the controlling terminal in raw mode ({@code stty raw -echo}) so every key, Ctrl-C
 * included, goes to the guest, and puts the saved settings back on {@link #close()} (also from a
 * shutdown hook: a killed CLI must not leave the shell without echo). stty acts on its stdin,
 * so it runs with stdin redirected from /dev/tty.
 */
final class RawTerminal implements AutoCloseable {
    private static final File TTY = new File("/dev/tty");

    private final String saved;
    private final Thread hook;
    private boolean restored;

    private RawTerminal(String saved) {
        this.saved = saved;
        this.hook = new Thread(this::restore, "linuxvm-tty-restore");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Saves the settings ({@code stty -g}) and enters raw mode; throws if there is no terminal or stty fails. */
    static RawTerminal enter() throws IOException {
        String saved = stty("-g").strip();
        if (saved.isEmpty()) {
            throw new IOException("stty -g printed nothing");
        }
        RawTerminal t = new RawTerminal(saved);
        try {
            stty("raw", "-echo");
        } catch (IOException e) {
            t.close();
            throw e;
        }
        return t;
    }

    private synchronized void restore() {
        if (restored) {
            return;
        }
        restored = true;
        try {
            stty(saved);
        } catch (IOException e) {
            // nothing better to do: the user can type `stty sane`
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs restore() again, which is a no-op
        }
    }

    private static String stty(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("stty"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectInput(TTY)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("stty " + String.join(" ", args) + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running stty");
        }
        if (p.exitValue() != 0) {
            throw new IOException("stty " + String.join(" ", args) + " exited with status " + p.exitValue());
        }
        return out.toString(StandardCharsets.US_ASCII);
    }
}
