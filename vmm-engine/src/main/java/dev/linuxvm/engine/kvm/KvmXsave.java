package dev.linuxvm.engine.kvm;

/**
 * {@code struct kvm_xsave { __u32 region[1024]; __u32 extra[]; }} (arch/x86/include/uapi/asm/kvm.h):
 * the XSAVE area, carried opaquely. KVM_GET_XSAVE2 may fill more than {@link #SIZE} bytes: as
 * many as KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) says (api.rst, 4.42 "KVM_GET_XSAVE2").
 */
final class KvmXsave {
    /** sizeof(struct kvm_xsave), the size KVM_GET_XSAVE / KVM_SET_XSAVE encode. */
    static final int SIZE = 4096;

    private KvmXsave() {
    }
}
