package dev.linuxvm.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.statistics.Statistics;

/**
 * Shared machinery of the parser fuzz tests (issue #11): mutants of valid inputs, a deadline per
 * try, and the one rule every parser of untrusted bytes follows: it returns a value or throws its
 * documented exception with a message, and nothing else.
 */
public final class Fuzz {
    /** Tries per parser and run (issue #11). */
    public static final int TRIES = 10_000;
    /** No single parse of a few KiB may take this long: it is looping, not working. */
    public static final Duration TRY_TIMEOUT = Duration.ofSeconds(10);

    private static ExecutorService worker = newWorker();

    private Fuzz() {
    }

    /** How a parse ended, for the statistics jqwik prints after each property. */
    public enum Outcome { ACCEPTED, REJECTED }

    /**
     * Runs {@code parse} under {@link #TRY_TIMEOUT}. Returns its value, or null when it threw
     * {@code documented} with a non-blank message; any other throwable (another exception, an
     * {@link OutOfMemoryError}, a timeout) fails the try. The outcome is counted under "outcome".
     */
    public static <T> T parse(Class<? extends RuntimeException> documented, Callable<T> parse) {
        return parse("outcome", documented, parse);
    }

    /** As {@link #parse(Class, Callable)}, counting the outcome under {@code label}. */
    public static <T> T parse(String label, Class<? extends RuntimeException> documented, Callable<T> parse) {
        try {
            T value = within(TRY_TIMEOUT, parse);
            Statistics.label(label).collect(Outcome.ACCEPTED);
            return value;
        } catch (Throwable t) {
            if (documented.isInstance(t) && t.getMessage() != null && !t.getMessage().isBlank()) {
                Statistics.label(label).collect(Outcome.REJECTED);
                return null;
            }
            throw new AssertionError("expected a value or " + documented.getSimpleName()
                    + " with a message, got " + t, t);
        }
    }

    /** Runs {@code body} on a worker thread and fails if it does not finish within {@code limit}. */
    public static <T> T within(Duration limit, Callable<T> body) throws Throwable {
        Future<T> future = worker.submit(body);
        try {
            return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (TimeoutException e) {
            String stack = stackOfWorker();
            future.cancel(true);
            worker.shutdownNow();
            worker = newWorker(); // the stuck thread is a daemon and may never end
            throw new AssertionError("the parse did not finish within " + limit + "; it was at:\n" + stack);
        }
    }

    private static volatile Thread workerThread;

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-worker");
            t.setDaemon(true);
            workerThread = t;
            return t;
        });
    }

    private static String stackOfWorker() {
        Thread t = workerThread;
        if (t == null) {
            return "(unknown)";
        }
        ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(t.getId(), 30);
        return info == null ? "(ended)" : Arrays.stream(info.getStackTrace()).map(e -> "    at " + e)
                .reduce("", (a, b) -> a + b + "\n");
    }

    // ---- mutants ------------------------------------------------------------------------------

    /** Values that break length and offset arithmetic: zero, sign bits, all ones, near-overflow. */
    static final long[] INTERESTING = {
        0, 1, 2, 4, 7, 8, 0x10, 0x38, 0x40, 0x7f, 0x80, 0xff, 0x100, 0x1000, 0x7fff, 0x8000, 0xffff, 0x1_0000,
        0x20_0000, 0x7fff_fff8L, 0x7fff_ffffL, 0x8000_0000L, 0xffff_fff8L, 0xffff_ffffL, 0x1_0000_0000L,
        Long.MAX_VALUE - 8, Long.MAX_VALUE, Long.MIN_VALUE, -1, -8, -56
    };

    /** One edit of an input. Positions and values are raw; {@link #apply} fits them to the input. */
    record Mutation(int kind, int position, long value, int width) {
        byte[] apply(byte[] in, ByteOrder order, int[] fields) {
            switch (kind) {
                case 0: { // flip one bit
                    if (in.length == 0) {
                        return in;
                    }
                    byte[] out = in.clone();
                    int bit = Math.floorMod(position, in.length * 8);
                    out[bit / 8] ^= (byte) (1 << (bit % 8));
                    return out;
                }
                case 1: { // one random byte
                    if (in.length == 0) {
                        return in;
                    }
                    byte[] out = in.clone();
                    out[Math.floorMod(position, in.length)] = (byte) value;
                    return out;
                }
                case 2: // an interesting value into a known field
                    return fields.length == 0 ? in : put(in, fields[Math.floorMod(position, fields.length)], value, order);
                case 3: // an interesting value anywhere
                    return in.length == 0 ? in : put(in, Math.floorMod(position, in.length), value, order);
                case 4: // cut the input short
                    return Arrays.copyOf(in, Math.floorMod(position, in.length + 1));
                default: { // push it past its end with junk
                    byte[] out = Arrays.copyOf(in, in.length + 1 + Math.floorMod(position, 64));
                    for (int i = in.length; i < out.length; i++) {
                        out[i] = (byte) (value >>> (8 * (i % 8)));
                    }
                    return out;
                }
            }
        }

        private byte[] put(byte[] in, int at, long v, ByteOrder order) {
            int bytes = 1 << Math.floorMod(width, 4); // 1, 2, 4 or 8
            if (at + bytes > in.length) {
                return in;
            }
            ByteBuffer b = ByteBuffer.wrap(in.clone()).order(order);
            switch (bytes) {
                case 1: b.put(at, (byte) v); break;
                case 2: b.putShort(at, (short) v); break;
                case 4: b.putInt(at, (int) v); break;
                default: b.putLong(at, v); break;
            }
            return b.array();
        }
    }

    /**
     * Valid {@code seeds} (returned unchanged sometimes) with one to four {@link Mutation}s:
     * bit flips, random bytes, {@link #INTERESTING} values in the given header {@code fields}
     * (byte offsets) or anywhere, cuts and junk past the end.
     */
    public static Arbitrary<byte[]> mutants(List<byte[]> seeds, ByteOrder order, int... fields) {
        Arbitrary<Mutation> mutation = Combinators.combine(
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers(),
                Arbitraries.oneOf(Arbitraries.of(Arrays.stream(INTERESTING).boxed().toList()), Arbitraries.longs()),
                Arbitraries.integers().between(0, 3)).as(Mutation::new);
        return Combinators.combine(Arbitraries.of(seeds), mutation.list().ofMinSize(0).ofMaxSize(4))
                .as((seed, edits) -> {
                    byte[] b = seed;
                    for (Mutation m : edits) {
                        b = m.apply(b, order, fields);
                    }
                    return b;
                });
    }

    /** Random bytes up to {@code maxSize}, optionally behind a fixed prefix (a magic number). */
    public static Arbitrary<byte[]> randomBytes(int maxSize, byte[]... prefixes) {
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(maxSize);
        if (prefixes.length == 0) {
            return raw;
        }
        Arbitrary<byte[]> prefix = Arbitraries.of(List.of(prefixes));
        return Combinators.combine(prefix, raw).as((p, r) -> {
            byte[] out = Arrays.copyOf(p, p.length + r.length);
            System.arraycopy(r, 0, out, p.length, r.length);
            return out;
        });
    }

    // ---- real kernels -------------------------------------------------------------------------

    /**
     * The first {@code length} bytes of a provisioned guest file ({@code vmlinux}, {@code Image},
     * {@code initramfs.cpio.gz}) of {@code arch} in the linuxvm cache, when it has been provisioned.
     */
    public static Optional<byte[]> provisionedHead(String arch, String file, int length) {
        String env = System.getenv("LINUXVM_CACHE");
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = env != null && !env.isBlank() ? Path.of(env)
                : (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                        .resolve("linuxvm");
        Path guests = cache.resolve("guests").resolve(arch);
        try {
            Path current = guests.resolve("current");
            if (!Files.isRegularFile(current)) {
                return Optional.empty();
            }
            Path path = guests.resolve(Files.readString(current).strip()).resolve(file);
            if (!Files.isRegularFile(path)) {
                return Optional.empty();
            }
            try (InputStream in = Files.newInputStream(path)) {
                return Optional.of(in.readNBytes(length));
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
