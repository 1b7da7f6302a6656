package dev.linuxvm.junit;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The fuzz tests' deadline per try (issue #11), as vmm-engine's test {@code Fuzz} has it: a hang
 * fails the try with the stuck thread's stack instead of stopping the build.
 */
public final class Fuzz {
    /** Tries per parser and run (issue #11). */
    public static final int TRIES = 10_000;
    /** No single try may take this long: it is looping, not working. */
    public static final Duration TRY_TIMEOUT = Duration.ofSeconds(10);

    private static volatile Thread workerThread;
    private static ExecutorService worker = newWorker();

    private Fuzz() {
    }

    /** Runs {@code body} on a worker thread and fails if it does not finish within {@link #TRY_TIMEOUT}. */
    public static <T> T within(Callable<T> body) throws Throwable {
        Future<T> future = worker.submit(body);
        try {
            return future.get(TRY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (TimeoutException e) {
            Thread t = workerThread;
            ThreadInfo info = t == null ? null : ManagementFactory.getThreadMXBean().getThreadInfo(t.getId(), 30);
            String stack = info == null ? "(unknown)" : Arrays.stream(info.getStackTrace()).map(f -> "    at " + f)
                    .reduce("", (a, b) -> a + b + "\n");
            future.cancel(true);
            worker.shutdownNow();
            worker = newWorker(); // the stuck thread is a daemon and may never end
            throw new AssertionError("the try did not finish within " + TRY_TIMEOUT + "; it was at:\n" + stack);
        }
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-worker");
            t.setDaemon(true);
            workerThread = t;
            return t;
        });
    }
}
