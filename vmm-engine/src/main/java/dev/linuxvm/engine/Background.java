package dev.linuxvm.engine;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Work started ahead on a thread of its own, so that a start does not wait for it. */
public final class Background {
    private Background() {
    }

    /**
     * Runs {@code task} on a new daemon thread named {@code threadName}; the future completes with
     * its result, or exceptionally with exactly what it threw (a checked exception included).
     */
    public static <T> CompletableFuture<T> call(String threadName, Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
        return result;
    }

    /**
     * Waits for {@code future} and returns its result; a task that failed with an unchecked
     * exception or an error has exactly that rethrown here, anything else arrives wrapped in the
     * {@link CompletionException}.
     */
    public static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error r) {
                throw r;
            }
            throw e;
        }
    }
}
