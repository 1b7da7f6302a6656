package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.backend.Snapshot;
import dev.linuxvm.engine.backend.qemu.QemuCommandLine.Accelerator;
import dev.linuxvm.engine.backend.qemu.QemuCommandLine.RestoredMachine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A QEMU guest frozen by {@code QemuVm.snapshot()}: a private directory (under
 * {@link QemuBackend.Builder#ramRoot}, /dev/shm by default) holding the template's RAM file
 * ({@value #RAM_FILE}, which the template mapped shared), the device and CPU state QEMU saved
 * with {@code x-ignore-shared} ({@value #STATE_FILE}, tens of KiB: RAM is left out), and on
 * x86_64 the reset ROM file that sizes the clone's BIOS block. Clones map the RAM file
 * copy-on-write, so restoring costs the same for any RAM size and a clone's memory is what it
 * writes. Closing deletes the directory; running clones keep their mapping of the unlinked file.
 * Closing it while a restore is in progress is a misuse.
 */
public final class QemuSnapshot implements Snapshot {
    static final String RAM_FILE = "ram";
    static final String STATE_FILE = "state";

    private final Path dir;
    private final RestoredMachine machine;
    private final Path binary;
    private boolean closed;

    QemuSnapshot(Path dir, RestoredMachine machine, Path binary) {
        this.dir = dir;
        this.machine = machine;
        this.binary = binary;
    }

    @Override
    public String backend() {
        return "qemu";
    }

    @Override
    public Arch arch() {
        return machine.arch();
    }

    @Override
    public int cpus() {
        return machine.cpus();
    }

    @Override
    public long ramBytes() {
        return machine.ramSize();
    }

    /** The accelerator the template ran with; its clones run with the same. */
    public Accelerator accelerator() {
        return machine.accel();
    }

    /** Bytes of the saved device and CPU state (not RAM); 0 once closed. */
    public long stateBytes() {
        try {
            return Files.size(dir.resolve(STATE_FILE));
        } catch (IOException e) {
            return 0;
        }
    }

    /** The clone's machine; fails once closed. */
    synchronized RestoredMachine machine() {
        if (closed) {
            throw new IllegalStateException("snapshot already closed: " + this);
        }
        return machine;
    }

    Path binary() {
        return binary;
    }

    Path stateFile() {
        return dir.resolve(STATE_FILE);
    }

    Path dir() {
        return dir;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            QemuVm.deleteTree(dir);
        }
    }

    @Override
    public String toString() {
        return String.format("QEMU snapshot (%s, %d vCPUs, %d MiB RAM, %s, in %s)", machine.arch(), machine.cpus(),
                machine.ramSize() >> 20, machine.accel().qemuName(), dir);
    }
}
