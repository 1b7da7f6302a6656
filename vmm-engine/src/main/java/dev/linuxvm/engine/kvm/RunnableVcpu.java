package dev.linuxvm.engine.kvm;

/** What the vCPU thread loop needs from a vCPU; {@link KvmVcpu} is the real one. */
interface RunnableVcpu {
    /** vCPU index, 0..n-1. */
    int id();

    /** One KVM_RUN; a kick returns {@link VcpuExit.Interrupted}. */
    VcpuExit run();

    /** Makes the current or next {@link #run()} return {@link VcpuExit.Interrupted} promptly. */
    void requestImmediateExit();
}
