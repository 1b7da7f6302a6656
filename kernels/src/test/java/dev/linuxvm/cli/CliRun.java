package dev.linuxvm.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One in-process run of {@link LinuxVmCli#run}: its status, stdout (the console) and stderr. */
record CliRun(int status, String out, String err) {

    static CliRun of(InputStream in, String... args) {
        return of(in, new ByteArrayOutputStream(), args);
    }

    static CliRun of(InputStream in, ByteArrayOutputStream stdout, String... args) {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = LinuxVmCli.run(args, in, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        return new CliRun(status, stdout.toString(StandardCharsets.ISO_8859_1), stderr.toString(StandardCharsets.UTF_8));
    }

    static CliRun of(String... args) {
        return of(InputStream.nullInputStream(), args);
    }

    /** The stderr lines. */
    List<String> errLines() {
        return err.lines().toList();
    }

    /** The last stderr line (the outcome line), or "". */
    String lastErrLine() {
        List<String> l = errLines();
        return l.isEmpty() ? "" : l.get(l.size() - 1);
    }

    /** For assertion messages: status, stderr and the console's last lines. */
    String describe() {
        List<String> console = out.lines().toList();
        return "status " + status + "\nstderr:\n" + err + "\nconsole tail:\n"
                + String.join("\n", console.subList(Math.max(0, console.size() - 30), console.size()));
    }

    /** A stdout that lets an {@link InputStream} wait for text to appear on the console. */
    static final class WatchedOutput extends ByteArrayOutputStream {
        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, len);
            notifyAll();
        }

        @Override
        public synchronized void write(int b) {
            super.write(b);
            notifyAll();
        }

        /** Stdin that sends {@code input} once {@code marker} has appeared on the console. */
        InputStream inputAfter(String marker, String input) {
            return new InputStream() {
                private java.io.ByteArrayInputStream data;

                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (data == null) {
                        awaitMarker();
                        data = new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8));
                    }
                    return data.read(b, off, len);
                }

                private void awaitMarker() {
                    synchronized (WatchedOutput.this) {
                        while (!WatchedOutput.this.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
                            try {
                                WatchedOutput.this.wait(1000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    }
                }
            };
        }
    }
}
