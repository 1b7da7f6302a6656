package dev.linuxvm.engine.backend;

import dev.linuxvm.engine.Arch;

/**
 * A guest frozen by {@link RunningVm#snapshot()}: everything its backend needs to start any
 * number of copies with {@link Backend#restore}, each continuing where the guest was and each
 * with private memory. Opaque: only the backend that took it can restore it. Closing it
 * releases what it holds (the template's RAM); guests already restored from it keep running.
 */
public interface Snapshot extends AutoCloseable {
    /** The backend that took it ({@link Backend#name()}). */
    String backend();

    Arch arch();

    /** Number of vCPUs. */
    int cpus();

    /** Bytes of guest RAM it holds (shared copy-on-write by its clones, not copied). */
    long ramBytes();

    @Override
    void close();
}
