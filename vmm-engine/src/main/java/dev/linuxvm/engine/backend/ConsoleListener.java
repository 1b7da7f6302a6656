package dev.linuxvm.engine.backend;

/**
 * Receives the bytes the guest writes to its serial console, in order, from the backend's own
 * thread. Implementations must be thread-safe with respect to their readers and must not block
 * for long: the guest (or the pipe from QEMU) waits while they run.
 */
@FunctionalInterface
public interface ConsoleListener {
    void onOutput(byte[] buffer, int offset, int length);

    ConsoleListener DISCARD = (b, o, l) -> { };
}
