package dev.linuxvm.engine.kvm;

/**
 * The {@code irq} field of KVM_IRQ_LINE on arm64 (Documentation/virt/kvm/api.rst, 4.25
 * "KVM_IRQ_LINE"): bits 27:24 type, 23:16 vcpu index, 15:0 number. For an SPI the number is the
 * GIC INTID (32 + SPI number).
 */
public final class Arm64Irq {
    static final int KVM_ARM_IRQ_TYPE_SHIFT = 24;
    static final int KVM_ARM_IRQ_VCPU_SHIFT = 16;
    static final int KVM_ARM_IRQ_NUM_SHIFT = 0;
    /** Type: shared peripheral interrupt, routed by the in-kernel GIC. */
    public static final int KVM_ARM_IRQ_TYPE_SPI = 1;
    /** First INTID of the SPI range (GICv3 architecture, 2.2 "INTIDs"). */
    public static final int SPI_BASE_INTID = 32;

    private Arm64Irq() {
    }

    /** KVM_IRQ_LINE irq for SPI {@code spi} (INTID 32 + spi). */
    public static int spi(int spi) {
        return (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | ((SPI_BASE_INTID + spi) << KVM_ARM_IRQ_NUM_SHIFT);
    }
}
