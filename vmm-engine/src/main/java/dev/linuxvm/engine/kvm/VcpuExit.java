package dev.linuxvm.engine.kvm;

/**
 * Why KVM_RUN returned, decoded from {@code struct kvm_run} ({@link KvmRun#decode}). Field
 * names follow the kvm_run unions in include/uapi/linux/kvm.h.
 */
public sealed interface VcpuExit {
    /** KVM_EXIT_IO: {@code count} accesses of {@code size} bytes; data at {@code data_offset} in kvm_run. */
    record Io(boolean out, int size, int port, int count, long data_offset) implements VcpuExit { }

    /** KVM_EXIT_MMIO: data (up to 8 bytes) at kvm_run's mmio.data. */
    record Mmio(long phys_addr, int len, boolean is_write) implements VcpuExit { }

    /** KVM_EXIT_HLT: the vCPU halted and there is no in-kernel irqchip to wait in. */
    record Hlt() implements VcpuExit { }

    /** KVM_EXIT_SHUTDOWN: triple fault (x86). */
    record Shutdown() implements VcpuExit { }

    /** KVM_EXIT_FAIL_ENTRY: the hardware refused the guest state. */
    record FailEntry(long hardware_entry_failure_reason, int cpu) implements VcpuExit { }

    /** KVM_EXIT_INTERNAL_ERROR: suberror 1 is KVM_INTERNAL_ERROR_EMULATION. */
    record InternalError(int suberror, long[] data) implements VcpuExit { }

    /** KVM_EXIT_SYSTEM_EVENT: PSCI SYSTEM_OFF (type 1), SYSTEM_RESET (2), crash (3). */
    record SystemEvent(int type) implements VcpuExit { }

    /**
     * KVM_EXIT_X86_RDMSR / KVM_EXIT_X86_WRMSR: an MSR access KVM handed to userspace (here: one
     * our MSR filter denies, {@code reason} KVM_MSR_EXIT_REASON_FILTER). Answer it with
     * {@link KvmVcpu#completeMsr} before the next KVM_RUN.
     */
    record Msr(boolean write, int index, long data, int reason) implements VcpuExit { }

    /** KVM_EXIT_INTR or KVM_RUN failing with EINTR: a signal (our kick) arrived. */
    record Interrupted() implements VcpuExit { }

    /**
     * KVM_RUN failing with EAGAIN: the vCPU is not runnable yet. x86 KVM blocks an AP in
     * KVM_MP_STATE_UNINITIALIZED until an event arrives and then returns EAGAIN if it is still
     * waiting for INIT/SIPI (arch/x86/kvm/x86.c, kvm_arch_vcpu_ioctl_run): run it again.
     */
    record NotRunnable() implements VcpuExit { }

    /** Any other exit reason. */
    record Other(int exit_reason, long hardware_exit_reason) implements VcpuExit { }
}
