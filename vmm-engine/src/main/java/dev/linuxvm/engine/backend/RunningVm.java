package dev.linuxvm.engine.backend;

import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;

/**
 * A guest that a {@link Backend} started. Closing it stops the guest and releases everything
 * it holds (threads, file descriptors, mappings, child processes) whatever state it is in.
 */
public interface RunningVm extends AutoCloseable {
    /** Bytes written here arrive at the guest's serial console receiver. */
    OutputStream consoleInput();

    /** The exit, once the guest has ended. */
    Optional<VmExit> exit();

    /** Waits up to {@code timeout} for the guest to end; empty if it is still running. */
    Optional<VmExit> awaitExit(Duration timeout) throws InterruptedException;

    /** Stops the guest now (idempotent) and releases everything; the exit becomes {@link VmExit.Stopped}. */
    @Override
    void close();
}
