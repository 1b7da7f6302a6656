package dev.linuxvm.engine.kvm;

/**
 * {@code struct kvm_msr_list { __u32 nmsrs; __u32 indices[]; }} (include/uapi/linux/kvm.h): the
 * MSRs KVM saves and restores for a vCPU (KVM_GET_MSR_INDEX_LIST on /dev/kvm).
 */
final class KvmMsrList {
    static final int HEADER_SIZE = 4;

    private KvmMsrList() {
    }
}
