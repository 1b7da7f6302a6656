package dev.linuxvm.junit;

import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.kernels.GuestInitramfs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The first console listener of a guest restored from a snapshot: the host types, before the
 * test sees the guest,
 * <ol>
 *   <li>32 random bytes into {@code /dev/urandom} (a shell builtin, so nothing asks the kernel for
 *       randomness before they are in its input pool; the template was snapshotted with a CRNG
 *       reseed already due, {@link GuestSession#reseedDueAfter}, so the clone's first use of
 *       randomness reseeds from them and two clones never share a random stream);</li>
 *   <li>the host's time, {@code date -s @<epoch>} (the clone's clock resumes at the snapshot's
 *       time); busybox takes whole seconds, so the host's time is rounded to the nearest one;</li>
 *   <li>a marker that only the shell's {@code printf} can produce, and waits for it and the prompt after it.</li>
 * </ol>
 * What the clone printed meanwhile (the echo, the marker, the prompt) is dropped; {@link #handOver}
 * forwards everything after that prompt to the test's console.
 */
final class CloneSetup implements ConsoleListener {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private int handOverFrom = -1;
    private ConsoleListener target;

    @Override
    public synchronized void onOutput(byte[] buffer, int offset, int length) {
        if (target != null) {
            target.onOutput(buffer, offset, length);
            return;
        }
        captured.write(buffer, offset, length);
        notifyAll();
    }

    /** Types the setup line into {@code vm} and waits up to {@code timeout} for its marker and the prompt after it. */
    void run(RunningVm vm, Duration timeout) throws InterruptedException {
        byte[] seed = new byte[32];
        RANDOM.nextBytes(seed);
        String nonce = SerialConsole.nonce();
        long epoch = Math.round(System.currentTimeMillis() / 1000.0);
        String line = "echo " + HexFormat.of().formatHex(seed) + " > /dev/urandom; date -s @" + epoch
                + " > /dev/null; printf '__LVM_%s_RESTORED__\\n' " + nonce + "\n";
        OutputStream in = vm.consoleInput();
        try {
            in.write(line.getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot type into the restored guest's console", e);
        }
        String marker = "__LVM_" + nonce + "_RESTORED__";
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                // ISO-8859-1: one char per byte, so indexes are byte offsets
                String text = captured.toString(StandardCharsets.ISO_8859_1);
                int m = text.indexOf(marker);
                int prompt = m < 0 ? -1 : text.indexOf(GuestInitramfs.PROMPT, m);
                if (prompt >= 0) {
                    handOverFrom = prompt + GuestInitramfs.PROMPT.length();
                    return;
                }
                if (vm.exit().isPresent()) {
                    throw new IllegalStateException("the restored guest ended during its setup: " + vm.exit().get().describe()
                            + "; its console: " + text);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("the restored guest's shell did not answer the setup line within "
                            + timeout + "; its console: " + text);
                }
                wait(Math.max(1, Math.min(100, left / 1_000_000)));
            }
        }
    }

    /** From now on output goes to {@code console}, starting with what came after the setup's prompt. */
    synchronized void handOver(ConsoleListener console) {
        byte[] all = captured.toByteArray();
        if (handOverFrom >= 0 && handOverFrom < all.length) {
            console.onOutput(all, handOverFrom, all.length - handOverFrom);
        }
        target = console;
    }
}
