package dev.linuxvm.junit;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * How many guests may run at once in one JUnit run: a fair counting semaphore with
 * {@value #PROPERTY} permits (default: the number of processors), kept in the root context's
 * store so every test class of the run shares it. A guest takes a permit before it is built and
 * gives it back once it has stopped and its report is written; a guest beyond the limit waits
 * for one, and its boot timeout starts only when it has it.
 *
 * <p>Why a semaphore rather than {@code @ResourceLock}: JUnit's resource locks are read/write
 * locks (one writer or any number of readers) assigned when the test plan is built. "At most N"
 * would need N lock names dealt out to test methods in advance, so two long guests could queue
 * on one name while another name is idle; a waiting guest needs any free permit, not a named one.
 * Resource locks do serve the per-class guest ({@link PerClassGuestLock}).
 *
 * <p>No deadlock:
 * <ol>
 *   <li>a guest started while an enclosing context's guest runs (a method-level {@link LinuxVm}
 *       in a class with a per-class guest) shares that guest's permit: with a limit of 1 it
 *       would otherwise wait for itself;</li>
 *   <li>the wait runs as a {@link ForkJoinPool#managedBlock}, so JUnit's fork-join pool may start
 *       another worker for tests that need no guest meanwhile.</li>
 * </ol>
 *
 * <p>It also makes sure two running guests never share a report directory.
 */
final class GuestSlots {
    /** Configuration parameter / system property: the most guests running at once. */
    static final String PROPERTY = "linuxvm.maxParallelGuests";

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(GuestSlots.class);

    private final int limit;
    private final int cores;
    private final Semaphore permits;
    private final Set<Path> reportDirs = ConcurrentHashMap.newKeySet();

    GuestSlots(int limit, int cores) {
        if (limit < 1) {
            throw new ExtensionConfigurationException(PROPERTY + "=" + limit + ": at least 1 guest must be able to run");
        }
        this.limit = limit;
        this.cores = cores;
        this.permits = new Semaphore(limit, true);
    }

    /** The slots of the run {@code context} belongs to (created on first use). */
    static GuestSlots of(ExtensionContext context) {
        int cores = Runtime.getRuntime().availableProcessors();
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(GuestSlots.class,
                k -> new GuestSlots(limitFrom(context, cores), cores), GuestSlots.class);
    }

    static int limitFrom(ExtensionContext context, int cores) {
        String value = context.getConfigurationParameter(PROPERTY).map(String::trim).orElse("");
        if (value.isEmpty()) {
            return cores;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ExtensionConfigurationException(PROPERTY + "=" + value + " is not a whole number: use e.g. "
                    + PROPERTY + "=" + cores + " (this host's processors)");
        }
    }

    int limit() {
        return limit;
    }

    int cores() {
        return cores;
    }

    /**
     * Claims {@code reportDir} and, unless {@code nested}, waits for a permit.
     *
     * @param nested whether an enclosing context's guest is running; the new guest shares its permit
     * @throws ExtensionConfigurationException when a running guest already writes into {@code reportDir}
     */
    Slot acquire(Path reportDir, boolean nested) {
        Path dir = reportDir.toAbsolutePath().normalize();
        if (!reportDirs.add(dir)) {
            throw new ExtensionConfigurationException("report directory " + dir + " belongs to a guest that is still"
                    + " running (two test methods with one name, e.g. overloads?): give the methods different names");
        }
        long start = System.nanoTime();
        try {
            if (!nested) {
                ForkJoinPool.managedBlock(new PermitWait());
            }
        } catch (InterruptedException e) {
            reportDirs.remove(dir);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for one of " + limit + " guest slots ("
                    + PROPERTY + ")", e);
        }
        return new Slot(dir, !nested, (System.nanoTime() - start) / 1_000_000);
    }

    /** Semaphore.acquire as a managed block, so a fork-join worker that waits can be compensated. */
    private final class PermitWait implements ForkJoinPool.ManagedBlocker {
        private boolean acquired;

        @Override
        public boolean block() throws InterruptedException {
            if (!acquired) {
                permits.acquire();
                acquired = true;
            }
            return true;
        }

        @Override
        public boolean isReleasable() {
            // tryAcquire() would barge past waiting guests; leave those to block()'s fair acquire
            return acquired || (!permits.hasQueuedThreads() && (acquired = permits.tryAcquire()));
        }
    }

    /** One running guest's claim: its report directory and, unless shared, a permit. Released once. */
    final class Slot implements AutoCloseable {
        private final Path reportDir;
        private final boolean ownsPermit;
        private final long waitedMillis;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(Path reportDir, boolean ownsPermit, long waitedMillis) {
            this.reportDir = reportDir;
            this.ownsPermit = ownsPermit;
            this.waitedMillis = waitedMillis;
        }

        /** How long the guest waited for its permit. */
        long waitedMillis() {
            return waitedMillis;
        }

        /** Whether this guest runs on an enclosing guest's permit. */
        boolean shared() {
            return !ownsPermit;
        }

        int limit() {
            return limit;
        }

        int cores() {
            return cores;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                reportDirs.remove(reportDir);
                if (ownsPermit) {
                    permits.release();
                }
            }
        }
    }
}
