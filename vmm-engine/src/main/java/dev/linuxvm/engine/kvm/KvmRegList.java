package dev.linuxvm.engine.kvm;

/**
 * {@code struct kvm_reg_list { __u64 n; __u64 reg[]; }} (include/uapi/linux/kvm.h): the ONE_REG ids
 * of a vCPU (KVM_GET_REG_LIST, arm64). A register's size is encoded in its id, bits 55:52
 * (KVM_REG_SIZE_SHIFT / KVM_REG_SIZE_MASK): log2 of its byte count.
 */
final class KvmRegList {
    static final int HEADER_SIZE = 8;
    static final int KVM_REG_SIZE_SHIFT = 52;
    static final long KVM_REG_SIZE_MASK = 0x00F0_0000_0000_0000L;

    private KvmRegList() {
    }

    /** Bytes of the register {@code id} holds. */
    static int size(long id) {
        return 1 << (int) ((id & KVM_REG_SIZE_MASK) >>> KVM_REG_SIZE_SHIFT);
    }
}
