package dev.linuxvm.junit;

import dev.linuxvm.engine.backend.ConsoleListener;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shared state behind every {@link SerialConsole} view of one guest: a bounded window of the
 * decoded console text plus the full log on disk.
 *
 * <p>Positions are absolute character offsets since boot. The window keeps the last
 * {@code capacity} characters (trimmed by a quarter at a time, so trimming is amortised);
 * {@link #base} is the absolute offset of the window's first character. The VM thread appends
 * under a private lock and signals waiters, which sleep in {@link #awaitChange} (no polling).
 * Readers take a {@link #snapshot()} or run a whole search with {@link #withLock}; the accessors
 * that expose the live window check that the lock is held.
 *
 * <p>A wait in progress sees every character before the window drops it: each wait registers
 * how far it has searched ({@link #beginSearch}), and a trim that would drop text a wait has
 * not searched yet first wakes the waits and gives them up to {@link #SEARCH_GRACE} to catch
 * up. Without that, a writer that re-takes the lock faster than a woken waiter (a flood in small
 * chunks) could trim a marker away before the waiter ever saw it.
 */
final class ConsoleBuffer implements ConsoleListener {
    /** Default window: 4 Mi chars (8 MiB of heap at most). */
    static final int DEFAULT_CAPACITY = 4 << 20;
    /**
     * How much of the host's input is remembered to recognise its echo: far more than one line
     * (busybox ash edits one line of at most CONFIG_FEATURE_EDITING_MAX_LEN chars, 1024 by default).
     */
    static final int TYPED_HISTORY = 64 * 1024;
    /**
     * How long a trim waits for the waits in progress to search the text it drops; a search of
     * one window takes milliseconds, so only a stalled test thread ever makes the guest wait this long.
     */
    static final Duration SEARCH_GRACE = Duration.ofSeconds(1);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Condition searched = lock.newCondition();
    /** Waits in progress → absolute position each has searched up to. */
    private final Map<Search, Long> searches = new IdentityHashMap<>();

    private final int capacity;
    private final StringBuilder text = new StringBuilder();
    private long base;
    private long cursor;
    private String guestEndReason;
    private final StringBuilder typed = new StringBuilder();
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(0);

    private final BufferedWriter log;
    private final long startNanos = System.nanoTime();
    private boolean atLineStart = true;

    ConsoleBuffer(int capacity, Path logFile) {
        if (capacity < 1024) {
            throw new IllegalArgumentException("console buffer capacity " + capacity + " is below 1024 chars");
        }
        this.capacity = capacity;
        try {
            this.log = logFile == null ? null : Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create console log " + logFile, e);
        }
    }

    @Override
    public void onOutput(byte[] buffer, int offset, int length) {
        lock.lock();
        try {
            ByteBuffer in = ByteBuffer.allocate(pending.remaining() + length);
            in.put(pending).put(buffer, offset, length).flip();
            CharBuffer out = CharBuffer.allocate(in.remaining());
            decoder.decode(in, out, false);
            pending = in.slice(); // an incomplete UTF-8 sequence waits for the next chunk
            out.flip();
            append(out);
        } finally {
            lock.unlock();
        }
    }

    /** Lock held: gives the waits in progress up to {@link #SEARCH_GRACE} to search the text before {@code dropTo}. */
    private void awaitSearches(long dropTo) {
        long graceEnd = System.nanoTime() + SEARCH_GRACE.toNanos();
        try {
            while (unsearchedBefore(dropTo) && System.nanoTime() < graceEnd) {
                changed.signalAll(); // the waits search what just arrived, then signal searched
                searched.awaitNanos(graceEnd - System.nanoTime());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the trim goes ahead; the thread's owner sees the flag
        }
    }

    private boolean unsearchedBefore(long position) {
        for (long searchedTo : searches.values()) {
            if (searchedTo < position) {
                return true;
            }
        }
        return false;
    }

    /** A wait in progress, registered with {@link #beginSearch}; see the class comment. */
    final class Search implements AutoCloseable {
        /** Inside {@link #withLock}: this wait has searched the text before {@code position}. */
        void searchedTo(long position) {
            checkLocked();
            searches.put(this, position);
            searched.signalAll();
        }

        @Override
        public void close() {
            checkLocked();
            searches.remove(this);
            searched.signalAll();
        }
    }

    /** Inside {@link #withLock}: registers a wait that will search from {@code from}. */
    Search beginSearch(long from) {
        checkLocked();
        Search s = new Search();
        searches.put(s, from);
        return s;
    }

    /** Waits in progress (tests use this to start writing only once a wait is registered). */
    int searchesInProgress() {
        lock.lock();
        try {
            return searches.size();
        } finally {
            lock.unlock();
        }
    }

    /** Appends decoded text (tests and the extension's own notes use this too). */
    void append(CharSequence chars) {
        lock.lock();
        try {
            text.append(chars);
            writeLog(chars);
            if (text.length() > capacity) {
                awaitSearches(base + text.length() - capacity + capacity / 4);
                if (text.length() > capacity) { // another writer may have trimmed while this one waited
                    int drop = text.length() - capacity + capacity / 4;
                    text.delete(0, drop);
                    base += drop;
                    cursor = Math.max(cursor, base);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void writeLog(CharSequence chars) {
        if (log == null) {
            return;
        }
        try {
            boolean lineEnded = false;
            for (int i = 0; i < chars.length(); i++) {
                char c = chars.charAt(i);
                if (atLineStart) {
                    // dmesg-style stamp: seconds since the guest was started
                    long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - startNanos);
                    log.write(String.format(Locale.ROOT, "[%5d.%06d] ", micros / 1_000_000, micros % 1_000_000));
                    atLineStart = false;
                }
                if (c == '\r') {
                    continue;
                }
                log.write(c);
                if (c == '\n') {
                    atLineStart = true;
                    lineEnded = true;
                }
            }
            if (lineEnded) {
                log.flush(); // whole lines reach the disk at once, even if the JVM dies later
            }
        } catch (IOException e) {
            // A full disk must not stop the guest; the in-memory window still works.
        }
    }

    /** Remembers {@code input} (CR removed), sent to the guest, so its echo is not taken for guest output. */
    void noteTyped(String input) {
        lock.lock();
        try {
            typed.append(input.replace("\r", ""));
            if (typed.length() > TYPED_HISTORY) {
                typed.delete(0, typed.length() - TYPED_HISTORY);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code line} (one non-empty console line, CR removed) is a piece of what the host typed. */
    boolean wasTyped(String line) {
        lock.lock();
        try {
            return !line.isEmpty() && typed.indexOf(line) >= 0;
        } finally {
            lock.unlock();
        }
    }

    /** Marks the output as finished because the guest ended ({@code why}); wakes every waiter. The first reason stays. */
    void markGuestEnded(String why) {
        lock.lock();
        try {
            if (guestEndReason == null) {
                guestEndReason = why;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void closeLog() {
        lock.lock();
        try {
            if (log != null) {
                log.close();
            }
        } catch (IOException e) {
            // nothing left to save
        } finally {
            lock.unlock();
        }
    }

    /** A copy of the retained window, taken under the lock. */
    String snapshot() {
        lock.lock();
        try {
            return text.toString();
        } finally {
            lock.unlock();
        }
    }

    /** What {@link #withLock} runs: a search over the live window that may sleep in {@link #awaitChange}. */
    @FunctionalInterface
    interface Locked<T> {
        T run() throws InterruptedException;
    }

    /** Runs {@code action} holding the lock, so the accessors below see one consistent state. */
    <T> T withLock(Locked<T> action) throws InterruptedException {
        lock.lock();
        try {
            return action.run();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Inside {@link #withLock}: releases the lock until output arrives, the guest ends or
     * {@code nanos} pass, then holds it again.
     */
    void awaitChange(long nanos) throws InterruptedException {
        checkLocked();
        changed.awaitNanos(nanos);
    }

    // The accessors below expose live state: call them inside withLock.

    StringBuilder window() {
        checkLocked();
        return text;
    }

    long base() {
        checkLocked();
        return base;
    }

    /** Absolute position just past the last character received. */
    long endPosition() {
        checkLocked();
        return base + text.length();
    }

    long cursor() {
        checkLocked();
        return cursor;
    }

    void consumeTo(long position) {
        checkLocked();
        cursor = Math.max(cursor, position);
    }

    /** Why the guest ended (its exit, "closed", a launch failure), or null while it runs. */
    String guestEndReason() {
        checkLocked();
        return guestEndReason;
    }

    int capacity() {
        return capacity;
    }

    private void checkLocked() {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("console buffer state read without its lock: use withLock");
        }
    }
}
