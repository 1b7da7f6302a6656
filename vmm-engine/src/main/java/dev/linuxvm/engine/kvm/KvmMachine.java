package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.backend.VmExit;

import java.util.List;
import java.util.Optional;

/** One architecture's KVM machine: its vCPUs, its devices, and how exits reach them. */
interface KvmMachine<V extends RunnableVcpu> extends AutoCloseable {
    List<V> vcpus();

    /**
     * Handles one exit of {@code vcpu} on that vCPU's thread; returns how the guest ended when
     * this exit (or a device it reached) ended it.
     */
    Optional<VmExit> handle(V vcpu, VcpuExit exit);

    /**
     * Host bytes for the guest's console UART; waits while the UART's bounded input queue is full
     * (the guest reads slowly). False when {@code stop} said to give up first.
     */
    boolean consoleInput(byte[] data, int offset, int length, java.util.function.BooleanSupplier stop)
            throws InterruptedException;

    /**
     * Captures the machine (VM, vCPUs, devices, a descriptor of each RAM memfd); only while no
     * vCPU thread runs. Machines whose RAM is not memfd-backed cannot.
     */
    default KvmSnapshot snapshot() {
        throw new KvmException(getClass().getSimpleName() + " cannot be snapshotted");
    }

    /** Closes vCPUs, devices, the VM, guest memory and /dev/kvm; only once no vCPU thread runs. */
    @Override
    void close();
}
