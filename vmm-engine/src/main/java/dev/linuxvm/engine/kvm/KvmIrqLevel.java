package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure.FieldOrder;

/** {@code struct kvm_irq_level} (include/uapi/linux/kvm.h), the argument of KVM_IRQ_LINE. */
@FieldOrder({"irq", "level"})
public class KvmIrqLevel extends KvmStruct {
    public static final int SIZE = 8;

    /** x86: GSI (ISA IRQ); arm64: type, vcpu and number fields (see {@link Arm64Irq}). */
    public int irq;
    public int level;
}
