package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.backend.Snapshot;

import java.util.List;

/**
 * A KVM guest frozen by {@code KvmRunningVm.snapshot()}: its RAM (one memfd per memory slot,
 * owned here; clones map them MAP_PRIVATE, so restoring costs the same for any RAM size), the
 * state KVM held for the VM and each vCPU, and our devices' state ({@link MachineState}, one
 * record type per architecture). Immutable apart from {@link #close()}; any number of threads
 * may restore from it at once. Closing it while a restore is in progress is a misuse.
 */
public final class KvmSnapshot implements Snapshot {
    /** One architecture's captured machine (VM, vCPUs, devices). */
    sealed interface MachineState permits X86MachineState, Arm64MachineState {
    }

    /** One memory slot: its guest range and the memfd that holds its bytes. */
    record Ram(long guestBase, long size, int memfd) {
    }

    private final Arch arch;
    private final int cpus;
    private final List<Ram> ram;
    private final MachineState state;
    private boolean closed;

    KvmSnapshot(Arch arch, int cpus, List<Ram> ram, MachineState state) {
        this.arch = arch;
        this.cpus = cpus;
        this.ram = List.copyOf(ram);
        this.state = state;
    }

    @Override
    public String backend() {
        return "kvm";
    }

    @Override
    public Arch arch() {
        return arch;
    }

    @Override
    public int cpus() {
        return cpus;
    }

    @Override
    public long ramBytes() {
        return ram.stream().mapToLong(Ram::size).sum();
    }

    MachineState state() {
        return state;
    }

    /** What the capture left out or could not read, for reports (x86: MSRs KVM listed but refused to read). */
    public List<String> notes() {
        if (state instanceof X86MachineState x && !x.unreadableMsrs().isEmpty()) {
            return List.of("MSRs KVM lists but would not read (left out): " + x.unreadableMsrs().stream()
                    .map(i -> "0x" + Integer.toHexString(i)).toList());
        }
        return List.of();
    }

    /** The memory slots, in slot order; fails once closed. */
    synchronized List<Ram> ram() {
        if (closed) {
            throw new IllegalStateException("snapshot already closed");
        }
        return ram;
    }

    /** Maps every slot copy-on-write, in slot order; on failure unmaps what it mapped. */
    List<GuestMemory> mapPrivate() {
        List<GuestMemory> mapped = new java.util.ArrayList<>();
        try {
            for (Ram r : ram()) {
                mapped.add(GuestMemory.mapPrivate(r.memfd(), r.guestBase(), r.size()));
            }
            return mapped;
        } catch (RuntimeException e) {
            mapped.forEach(KvmX86Machine::closeQuietly);
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            for (Ram r : ram) {
                GuestMemory.closeFd(r.memfd());
            }
        }
    }

    @Override
    public String toString() {
        return String.format("KVM snapshot (%s, %d vCPUs, %d MiB RAM)", arch, cpus, ramBytes() >> 20);
    }
}
