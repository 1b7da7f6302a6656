package dev.linuxvm.junit;

import dev.linuxvm.engine.DataPort;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Files in and out of a running guest over its data port ({@link DataPort}): raw bytes through
 * the virtio-console port, commands and checks over the serial console.
 *
 * <ol>
 *   <li>once per guest, load the port's modules in {@link DataPort#MODULES} order with
 *       {@code insmod} (the launcher placed them under {@code /lib/modules/<release>/}) and wait
 *       for {@link DataPort#GUEST_DEVICE};</li>
 *   <li>in: the guest opens the port, says so, and reads exactly the file's size with
 *       {@code head -c} while the host writes it (the guest driver discards what arrives while
 *       the port is closed, virtio_console.c in_intr; QEMU does not read the socket until the
 *       guest has opened it, so nothing is lost before);</li>
 *   <li>out: the guest writes the file with {@code cat} and the host reads exactly its size;</li>
 *   <li>size and SHA-256 compared on both ends, as on the console path.</li>
 * </ol>
 */
final class DataPortFiles {
    private static final int BUFFER = 1 << 20;
    /** Per console wait during a copy (scaled by the executor's {@link TimeoutScale}). */
    static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(2);

    private final SerialConsole console;
    private final GuestFileChecks checks;
    private final ByteChannel port;

    DataPortFiles(SerialConsole console, ByteChannel port) {
        // a 20 MiB file plus two sha256sum runs under TCG: minutes, not the console's default
        this.console = console.within(TRANSFER_TIMEOUT);
        this.checks = new GuestFileChecks(this.console);
        this.port = port;
    }

    /** Step 1; idempotent. */
    void ensureReady() {
        StringBuilder load = new StringBuilder("[ -e " + DataPort.GUEST_DEVICE + " ] || { ");
        for (String m : DataPort.MODULES) {
            load.append("insmod /lib/modules/$(uname -r)/").append(m).append(" && ");
        }
        // the port appears once virtio_console has probed the device and the host's port is added
        load.append("for i in $(seq 50); do [ -e " + DataPort.GUEST_DEVICE + " ] && break; sleep 0.1; done; "
                + "[ -e " + DataPort.GUEST_DEVICE + " ]; }");
        checks.check(console.exec(load.toString()), "the data port: cannot load its modules or find " + DataPort.GUEST_DEVICE);
    }

    long copyIn(Path host, String guest) {
        if (!Files.isRegularFile(host)) {
            throw new IllegalArgumentException("copyIn: " + host + " is not a file on this host");
        }
        String what = "copyIn " + host + " -> " + guest + " (data port)";
        ensureReady();
        String q = ConsoleFiles.quote(guest);
        long size;
        MessageDigest sha = GuestFileChecks.sha256();
        try {
            size = Files.size(host);
            checks.check(console.exec("mkdir -p \"$(dirname " + q + ")\""), what + ": cannot create the guest directory");
            String nonce = SerialConsole.nonce();
            console.sendLine("exec 3<" + DataPort.GUEST_DEVICE + "; printf '__LVM_%s_R__\\n' " + nonce + "; head -c " + size
                    + " <&3 > " + q + "; s=$?; exec 3<&-; printf '__LVM_%s_C_%d__\\n' " + nonce + " $s");
            console.expect(Pattern.compile("__LVM_" + nonce + "_R__"));
            Pump pump = Pump.start("in", () -> {
                try (InputStream in = Files.newInputStream(host)) {
                    byte[] buf = new byte[BUFFER];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        sha.update(buf, 0, n);
                        ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                        while (b.hasRemaining()) {
                            port.write(b);
                        }
                    }
                }
            });
            int status = pump.status(console, nonce);
            if (status != 0) {
                pump.abort();
                throw checks.failure(what + ": head -c exited with " + status + "; the data port is closed for the rest of this guest");
            }
            pump.finish(PUMP_GRACE, what, this); // head has read every byte, so the host has written them all
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": " + e.getMessage(), e);
        }
        String hostSha = HexFormat.of().formatHex(sha.digest());
        long guestSize = checks.guestSize(what, q);
        String guestSha = checks.guestSha256(what, q);
        if (guestSize != size || !guestSha.equals(hostSha)) {
            throw checks.failure(what + ": the guest file differs from the host file\n  host:  " + size + " bytes, sha256 "
                    + hostSha + "\n  guest: " + guestSize + " bytes, sha256 " + guestSha);
        }
        return size;
    }

    long copyOut(String guest, Path host) {
        String what = "copyOut " + guest + " -> " + host + " (data port)";
        ensureReady();
        String q = ConsoleFiles.quote(guest);
        long size = checks.guestSize(what, q);
        String guestSha = checks.guestSha256(what, q);
        MessageDigest sha = GuestFileChecks.sha256();
        try {
            if (host.toAbsolutePath().getParent() != null) {
                Files.createDirectories(host.toAbsolutePath().getParent());
            }
            String nonce = SerialConsole.nonce();
            console.sendLine("cat " + q + " > " + DataPort.GUEST_DEVICE + "; printf '__LVM_%s_C_%d__\\n' " + nonce + " $?");
            Pump pump = Pump.start("out", () -> {
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(host), sha)) {
                    ByteBuffer b = ByteBuffer.allocate(BUFFER);
                    long left = size;
                    while (left > 0) {
                        b.clear().limit((int) Math.min(b.capacity(), left));
                        int n = port.read(b);
                        if (n < 0) {
                            throw new IOException("the data port closed after " + (size - left) + " of " + size + " bytes");
                        }
                        out.write(b.array(), 0, n);
                        left -= n;
                    }
                }
            });
            int status = pump.status(console, nonce);
            if (status != 0) {
                pump.abort();
                throw checks.failure(what + ": cat exited with " + status + "; the data port is closed for the rest of this guest");
            }
            pump.finish(console.effectiveTimeout(), what, this); // cat is done; QEMU's buffer may still be draining
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": " + e.getMessage(), e);
        }
        String hostSha = HexFormat.of().formatHex(sha.digest());
        if (!hostSha.equals(guestSha)) {
            throw checks.failure(what + ": the copy differs from the guest file\n  guest: " + size + " bytes, sha256 " + guestSha
                    + "\n  host:  sha256 " + hostSha);
        }
        return size;
    }

    /** How long the pump may still run once the guest side has finished (scaled time is not needed: the guest is done). */
    private static final Duration PUMP_GRACE = Duration.ofSeconds(30);

    /**
     * One direction of bytes on its own thread, so a guest command that fails half way cannot
     * leave the test blocked in a read or write of the port: when the console says the guest side
     * ended and the pump does not finish in time, the pump is interrupted, which closes the
     * port's channel (its channels are interruptible): later copies on this guest then fail at once
     * instead of reading stale bytes.
     */
    private static final class Pump {
        interface Body {
            void run() throws IOException;
        }

        private final Thread thread;
        private volatile Throwable failure;
        private volatile boolean done;

        private Pump(String direction, Body body) {
            this.thread = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    done = true;
                }
            }, "linuxvm-data-port-" + direction);
            thread.setDaemon(true);
        }

        static Pump start(String direction, Body body) {
            Pump p = new Pump(direction, body);
            p.thread.start();
            return p;
        }

        /** The guest command's exit status from the console; a console failure stops the pump first. */
        int status(SerialConsole console, String nonce) {
            try {
                return Integer.parseInt(console.expect(Pattern.compile("__LVM_" + nonce + "_C_(\\d+)__")).group(1));
            } catch (RuntimeException | Error e) {
                abort();
                throw e;
            }
        }

        /** Interrupts the pump, which closes the port's channel if it is blocked in it. */
        void abort() {
            thread.interrupt();
        }

        void finish(Duration grace, String what, DataPortFiles files) {
            try {
                thread.join(Math.max(1, grace.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!done) {
                abort();
                throw files.checks.failure(what + ": the guest side ended but the host side had not after " + grace.toSeconds()
                        + " s: the data port is closed for the rest of this guest");
            }
            if (failure != null) {
                throw files.checks.failure(what + ": " + failure);
            }
        }
    }

}
