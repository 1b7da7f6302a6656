package dev.linuxvm.engine.kvm;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Paces a vCPU thread that KVM keeps answering "not runnable" (EAGAIN). A real KVM blocks the
 * thread inside KVM_RUN until an event arrives before it says EAGAIN, so retries come one per
 * event and are free; this guards against a KVM (or a nested one) that returns at once, which
 * would otherwise keep a host core busy for as long as the AP waits. The first
 * {@link #FREE_RETRIES} consecutive retries are immediate, then the thread parks for a delay
 * that doubles from {@link #FIRST_DELAY_NANOS} up to {@link #MAX_DELAY_NANOS}. Any other exit
 * resets it. One instance per vCPU thread; not thread-safe.
 */
final class RetryPacer {
    /** Consecutive retries that go straight back into KVM_RUN. */
    static final int FREE_RETRIES = 16;
    /** First pause once the free retries are used up. */
    static final long FIRST_DELAY_NANOS = 1_000;
    /**
     * Longest pause: an AP started by INIT/SIPI meanwhile waits at most this long (the kernel
     * waits up to 10 s for it, arch/x86/kernel/smpboot.c), and an idle AP costs at most 1000
     * KVM_RUN calls a second.
     */
    static final long MAX_DELAY_NANOS = 1_000_000;

    private final LongConsumer park;
    private int consecutive;

    RetryPacer() {
        this(LockSupport::parkNanos);
    }

    /** {@code park} sleeps for the given nanoseconds (tests record instead). */
    RetryPacer(LongConsumer park) {
        this.park = park;
    }

    /** Called for each retry; returns the nanoseconds it paused (0: none). */
    long retry() {
        consecutive = Math.min(consecutive + 1, Integer.MAX_VALUE - 1);
        int paced = consecutive - FREE_RETRIES;
        if (paced <= 0) {
            return 0;
        }
        long delay = paced > 20 ? MAX_DELAY_NANOS : Math.min(FIRST_DELAY_NANOS << (paced - 1), MAX_DELAY_NANOS);
        park.accept(delay);
        return delay;
    }

    /** Called for any exit that is not a retry. */
    void reset() {
        consecutive = 0;
    }
}
