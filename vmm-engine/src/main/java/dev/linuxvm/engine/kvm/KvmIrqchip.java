package dev.linuxvm.engine.kvm;

/**
 * {@code struct kvm_irqchip { __u32 chip_id; __u32 pad; union { char dummy[512]; struct kvm_pic_state pic;
 * struct kvm_ioapic_state ioapic; } chip; }} (include/uapi/linux/kvm.h): one in-kernel x86 interrupt
 * controller's state, selected by {@code chip_id}.
 */
final class KvmIrqchip {
    static final int SIZE = 520;
    static final int OFF_chip_id = 0;
    /** chip_id values (arch/x86/include/uapi/asm/kvm.h). */
    static final int KVM_IRQCHIP_PIC_MASTER = 0, KVM_IRQCHIP_PIC_SLAVE = 1, KVM_IRQCHIP_IOAPIC = 2;

    private KvmIrqchip() {
    }
}
