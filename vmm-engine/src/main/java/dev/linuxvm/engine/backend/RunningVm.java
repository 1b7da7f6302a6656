package dev.linuxvm.engine.backend;

import java.io.OutputStream;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.Optional;

/**
 * A guest that a {@link Backend} started. Closing it stops the guest and releases everything
 * it holds (threads, file descriptors, mappings, child processes) whatever state it is in.
 */
public interface RunningVm extends AutoCloseable {
    /** Bytes written here arrive at the guest's serial console receiver. */
    OutputStream consoleInput();

    /**
     * The guest's data port ({@link dev.linuxvm.engine.DataPort}), when its image has one and this
     * executor provides it: bytes written arrive at the guest's port device, bytes the guest
     * writes there are read here. Empty otherwise.
     */
    default Optional<ByteChannel> dataPort() {
        return Optional.empty();
    }

    /** The exit, once the guest has ended. */
    Optional<VmExit> exit();

    /** Waits up to {@code timeout} for the guest to end; empty if it is still running. */
    Optional<VmExit> awaitExit(Duration timeout) throws InterruptedException;

    /** Stops the guest now (idempotent) and releases everything; the exit becomes {@link VmExit.Stopped}. */
    @Override
    void close();

    /**
     * Pauses the guest for good and captures it: the snapshot restores, through
     * {@link Backend#restore}, to guests that continue from this instant. Afterwards this guest
     * stays paused (it no longer runs, and has no exit) until closed; closing it does not affect
     * the snapshot. Only guests started with {@link Backend#startForSnapshot} support this.
     *
     * @throws UnsupportedOperationException when this backend or this guest cannot be snapshotted
     * @throws IllegalStateException when the guest has already ended
     */
    default Snapshot snapshot() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be snapshotted");
    }
}
