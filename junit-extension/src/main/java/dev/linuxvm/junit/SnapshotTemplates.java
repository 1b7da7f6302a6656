package dev.linuxvm.junit;

import dev.linuxvm.engine.backend.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The snapshot templates of one JUnit run, by {@link GuestLauncher#snapshotKey}: kept in the root
 * context's store, so every test class shares them, and closed with it at the end of the run.
 *
 * <p>Each key has an {@link Entry} whose lock the session that builds the template holds from the
 * template's launch until its snapshot is taken (or has failed): a second test wanting the same
 * guest at that time waits, then restores, rather than booting a second template. A key whose
 * template could not be made remembers why, and its guests boot cold with that reason.
 */
final class SnapshotTemplates implements AutoCloseable {
    /**
     * Configuration parameter / system property: {@code false} boots every guest of the run cold
     * (as {@link LinuxVm#snapshot()} {@code = false} does for one test).
     */
    static final String PROPERTY = "linuxvm.snapshots";

    /**
     * The request for a configuration's guest that makes its template: the first guest of every
     * configuration boots cold, as without snapshots. A template costs a boot plus an idle of
     * about the same length ({@link GuestSession#reseedDueAfter}), which only guests after it
     * win back (each restore saves a boot): configurations used once (per-class guests, most
     * matrix entries) would only pay for it.
     */
    static final int TEMPLATE_AT_REQUEST = 2;

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SnapshotTemplates.class);

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** The templates of the run {@code context} belongs to (created on first use). */
    static SnapshotTemplates of(ExtensionContext context) {
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(SnapshotTemplates.class, k -> new SnapshotTemplates(),
                SnapshotTemplates.class);
    }

    /** Whether the run allows snapshots ({@value #PROPERTY}, default true). */
    static boolean enabledForRun(ExtensionContext context) {
        return context.getConfigurationParameter(PROPERTY).map(String::trim).map(Boolean::parseBoolean).orElse(true);
    }

    /** The entry for {@code key}, locked by the caller's thread: {@link Entry#unlock()} it. */
    Entry lock(String key) {
        Entry entry = entries.computeIfAbsent(key, Entry::new);
        entry.lock();
        return entry;
    }

    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (Entry e : entries.values()) {
            GuestTemplate t = e.template;
            if (t != null) {
                try {
                    t.snapshot().close();
                } catch (RuntimeException ex) {
                    failures.add(ex);
                }
            }
        }
        entries.clear();
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    /** One guest configuration: its template, or why it has none. Read and written under its lock. */
    static final class Entry {
        private final String key;
        private final ReentrantLock lock = new ReentrantLock(true);
        private volatile GuestTemplate template;
        private volatile String unusable;
        private int requests;

        private Entry(String key) {
            this.key = key;
        }

        String key() {
            return key;
        }

        /** The template, once one has been made. */
        GuestTemplate template() {
            return template;
        }

        /** Why this configuration has no template (its guests boot cold), or null. */
        String unusable() {
            return unusable;
        }

        /** Counts a request for this configuration's guest; true while it is too early for a template. */
        boolean tooEarlyForTemplate() {
            return ++requests < TEMPLATE_AT_REQUEST;
        }

        void set(GuestTemplate t) {
            template = t;
        }

        void markUnusable(String why) {
            unusable = why;
        }

        /** ReentrantLock.lock as a managed block, so a fork-join worker that waits can be compensated. */
        private void lock() {
            try {
                ForkJoinPool.managedBlock(new ForkJoinPool.ManagedBlocker() {
                    private boolean locked;

                    @Override
                    public boolean block() throws InterruptedException {
                        if (!locked) {
                            lock.lockInterruptibly();
                            locked = true;
                        }
                        return true;
                    }

                    @Override
                    public boolean isReleasable() {
                        // tryLock() would barge past waiting sessions; leave those to block()'s fair lock
                        return locked || (!lock.hasQueuedThreads() && (locked = lock.tryLock()));
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the snapshot template of a guest", e);
            }
        }

        void unlock() {
            lock.unlock();
        }
    }

    /**
     * A booted guest frozen at its shell prompt, and what its clones need.
     *
     * @param snapshot   the backend's snapshot
     * @param guest      the template as launched (its {@code vm} is closed): executor, kernel, command line, artifacts
     * @param transcript its console from the first byte to the snapshot, replayed into each clone's console
     * @param bootMillis launch to {@value dev.linuxvm.kernels.GuestInitramfs#READY_MARKER}
     * @param reportDir  the report directory of the test whose guest became the template
     */
    record GuestTemplate(Snapshot snapshot, LaunchedGuest guest, String transcript, long bootMillis, Path reportDir) {
    }
}
