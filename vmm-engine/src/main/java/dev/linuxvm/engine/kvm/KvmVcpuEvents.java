package dev.linuxvm.engine.kvm;

/**
 * {@code struct kvm_vcpu_events} (arch/x86/include/uapi/asm/kvm.h): pending exception,
 * interrupt, NMI, SIPI vector, SMM state; carried opaquely except {@code flags}, which says
 * which parts KVM_SET_VCPU_EVENTS applies.
 */
final class KvmVcpuEvents {
    static final int SIZE = 64;
    /** offsetof(struct kvm_vcpu_events, flags). */
    static final int OFF_flags = 20;
    /** Apply nmi.pending / the SIPI vector too (KVM_GET_VCPU_EVENTS does not set these). */
    static final int KVM_VCPUEVENT_VALID_NMI_PENDING = 0x1, KVM_VCPUEVENT_VALID_SIPI_VECTOR = 0x2;

    private KvmVcpuEvents() {
    }
}
