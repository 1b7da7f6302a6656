package dev.linuxvm.engine.kvm;

import java.nio.ByteBuffer;

/**
 * The local APIC register page as KVM_GET_LAPIC / KVM_SET_LAPIC carry it ({@code struct
 * kvm_lapic_state { char regs[KVM_APIC_REG_SIZE]; }}, 1024 bytes, each register a little-endian
 * 32-bit word at its MMIO offset).
 *
 * <p>LINT0 is where the 8259 delivers (ExtINT) and LINT1 is wired to NMI, as on a PC and as
 * the MP specification's virtual-wire mode expects; KVM resets the LVTs masked with fixed
 * delivery (only the BSP's LINT0 gets ExtINT, by a quirk). Firecracker (set_lint) and QEMU set
 * the same before the guest runs. The mask bit is kept: the kernel unmasks what it uses.
 */
final class X86Lapic {
    /** sizeof(struct kvm_lapic_state), KVM_APIC_REG_SIZE (arch/x86/include/uapi/asm/kvm.h). */
    static final int SIZE = 0x400;
    /** LVT LINT0 and LINT1 registers (SDM Vol. 3A, Table 11-1 "Local APIC Register Address Map"). */
    static final int APIC_LVT0 = 0x350, APIC_LVT1 = 0x360;
    /** LVT delivery mode, bits 10:8 (SDM Vol. 3A, Figure 11-8 "Local Vector Table"). */
    static final int DELIVERY_MODE_SHIFT = 8, DELIVERY_MODE_MASK = 0x7 << DELIVERY_MODE_SHIFT;
    /** Delivery modes: NMI 100b, ExtINT 111b. */
    static final int APIC_MODE_NMI = 0x4, APIC_MODE_EXTINT = 0x7;

    private X86Lapic() {
    }

    /** Sets LINT0 to ExtINT and LINT1 to NMI in {@code regs} (a kvm_lapic_state), keeping the other bits. */
    static void setLint(ByteBuffer regs) {
        regs.putInt(APIC_LVT0, withDeliveryMode(regs.getInt(APIC_LVT0), APIC_MODE_EXTINT));
        regs.putInt(APIC_LVT1, withDeliveryMode(regs.getInt(APIC_LVT1), APIC_MODE_NMI));
    }

    static int withDeliveryMode(int lvt, int mode) {
        return (lvt & ~DELIVERY_MODE_MASK) | (mode << DELIVERY_MODE_SHIFT);
    }
}
