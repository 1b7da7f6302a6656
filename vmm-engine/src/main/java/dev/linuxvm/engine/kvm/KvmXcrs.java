package dev.linuxvm.engine.kvm;

/**
 * {@code struct kvm_xcrs { __u32 nr_xcrs; __u32 flags; struct kvm_xcr xcrs[KVM_MAX_XCRS]; __u64 padding[16]; }}
 * (arch/x86/include/uapi/asm/kvm.h), carried opaquely.
 */
final class KvmXcrs {
    static final int SIZE = 392;

    private KvmXcrs() {
    }
}
