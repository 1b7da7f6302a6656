package dev.linuxvm.engine.devices;

import dev.linuxvm.engine.backend.ConsoleListener;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * What a UART hands to the host, kept apart from its register state so that it is handed over
 * after the device lock is released: transmitted bytes for the {@link ConsoleListener}, the
 * interrupt level for the {@link IrqLine}, and the bounded queue of host input.
 *
 * <p>The device calls {@link #transmit}, {@link #irqLevel}, {@link #offer} and the input
 * accessors while holding its lock (this class relies on that lock: it has no lock of its own
 * for those), and {@link #flush} after releasing it. A slow listener (a test thread's regex
 * search, a log flush) then delays only the thread that delivers, never a register access from
 * another vCPU or the host's input thread. Order still holds: one thread at a time delivers,
 * bytes in the order they were transmitted, and a thread that finds another delivering leaves
 * its bytes to it. The interrupt line is published the same way, so the last level set is the
 * level the line ends at.
 *
 * <p>Host input is bounded at {@link #INPUT_CAPACITY} bytes waiting for the guest. A write that
 * does not fit is refused whole with an {@link IllegalStateException} naming the backlog: the
 * guest is not reading its console, and queueing without end would only hide that (and grow the
 * heap). Bytes looped back by the guest itself (loopback mode) that do not fit are dropped, as a
 * real UART overruns.
 */
final class UartHostSide {
    /** Bytes of host input that may wait for the guest to read them. */
    static final int INPUT_CAPACITY = 64 * 1024;

    private final Object lock;
    private final ConsoleListener output;
    private final IrqLine irq;

    // guarded by lock
    private final ArrayDeque<Byte> input = new ArrayDeque<>();
    private byte[] pending = new byte[64];
    private int pendingLength;
    private boolean delivering;
    private boolean irqWanted;
    private boolean irqPublished;
    private boolean irqPublishing;

    UartHostSide(Object lock, ConsoleListener output, IrqLine irq) {
        this.lock = lock;
        this.output = output;
        this.irq = irq;
    }

    // ---- under the device lock ---------------------------------------------------------------

    /** Queues host input for the guest, all or nothing; see the class comment for a full queue. */
    void offer(byte[] data, int offset, int length) {
        if (input.size() + length > INPUT_CAPACITY) {
            throw new IllegalStateException("console input refused: " + input.size() + " bytes already wait for the guest"
                    + " to read them, and " + length + " more do not fit the " + INPUT_CAPACITY + "-byte queue:"
                    + " the guest is not reading its console; send less at a time, or wait for it");
        }
        for (int i = 0; i < length; i++) {
            input.add(data[offset + i]);
        }
    }

    /**
     * Waits, with the device lock held (it is released while waiting), until {@code length} more
     * bytes fit the input queue; false when {@code stop} says to give up first (the guest ended).
     * Woken by {@link #drained}.
     */
    boolean awaitRoom(int length, java.util.function.BooleanSupplier stop) throws InterruptedException {
        while (input.size() + length > INPUT_CAPACITY) {
            if (stop.getAsBoolean()) {
                return false;
            }
            lock.wait(100); // also re-checks stop, which has no event of its own here
        }
        return true;
    }

    /**
     * Host input that waits for room instead of being refused, in pieces of at most half the
     * queue: each piece is offered under the device lock, then {@code afterOffer} (the device's
     * FIFO refill and interrupt update) runs under it too, and the output is flushed after it.
     * False when {@code stop} says to give up first.
     */
    boolean offerWaiting(byte[] data, int offset, int length, java.util.function.BooleanSupplier stop,
                         Runnable afterOffer) throws InterruptedException {
        for (int done = 0; done < length; ) {
            int n = Math.min(length - done, INPUT_CAPACITY / 2);
            synchronized (lock) {
                if (!awaitRoom(n, stop)) {
                    return false;
                }
                offer(data, offset + done, n);
                afterOffer.run();
            }
            flush();
            done += n;
        }
        return true;
    }

    /** The guest took bytes from the input queue (device lock held): wakes {@link #awaitRoom}. */
    void drained() {
        lock.notifyAll();
    }

    /** A byte the guest transmitted in loopback mode; dropped when the queue is full (an overrun). */
    void loopBack(byte b) {
        if (input.size() < INPUT_CAPACITY) {
            input.add(b);
        }
    }

    ArrayDeque<Byte> input() {
        return input;
    }

    /** A byte for the console; delivered by {@link #flush}. */
    void transmit(byte b) {
        if (pendingLength == pending.length) {
            pending = Arrays.copyOf(pending, pending.length * 2);
        }
        pending[pendingLength++] = b;
    }

    /** The level the interrupt line should have; published by {@link #flush}. */
    void irqLevel(boolean level) {
        irqWanted = level;
    }

    /**
     * A restored device: the line is taken to be at {@code level} already, without driving it
     * (an edge-triggered line whose interrupt controller was restored with it).
     */
    void assumeIrqLevel(boolean level) {
        irqWanted = level;
        irqPublished = level;
    }

    // ---- after releasing the device lock -----------------------------------------------------

    /** Delivers pending output and the interrupt level; call without holding the device lock. */
    void flush() {
        publishIrq();
        deliverOutput();
    }

    private void deliverOutput() {
        byte[] chunk;
        synchronized (lock) {
            if (delivering || pendingLength == 0) {
                return;
            }
            delivering = true;
            chunk = takePending();
        }
        boolean done = false;
        try {
            while (true) {
                output.onOutput(chunk, 0, chunk.length);
                synchronized (lock) {
                    if (pendingLength == 0) {
                        delivering = false;
                        done = true;
                        return;
                    }
                    chunk = takePending();
                }
            }
        } finally {
            if (!done) {
                synchronized (lock) {
                    delivering = false;
                }
            }
        }
    }

    private byte[] takePending() {
        byte[] chunk = Arrays.copyOf(pending, pendingLength);
        pendingLength = 0;
        return chunk;
    }

    private void publishIrq() {
        while (true) {
            boolean level;
            synchronized (lock) {
                if (irqPublishing || irqWanted == irqPublished) {
                    return;
                }
                irqPublishing = true;
                level = irqWanted;
            }
            try {
                irq.set(level);
            } finally {
                synchronized (lock) {
                    irqPublished = level;
                    irqPublishing = false;
                }
            }
        }
    }
}
