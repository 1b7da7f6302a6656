package dev.linuxvm.engine.kvm;

/** {@code struct kvm_mp_state { __u32 mp_state; }} (include/uapi/linux/kvm.h). */
final class KvmMpState {
    static final int SIZE = 4;
    /** KVM_MP_STATE_RUNNABLE. */
    static final int KVM_MP_STATE_RUNNABLE = 0;
    /** KVM_MP_STATE_STOPPED (arm64: powered off, waiting for PSCI CPU_ON). */
    static final int KVM_MP_STATE_STOPPED = 5;

    private KvmMpState() {
    }
}
