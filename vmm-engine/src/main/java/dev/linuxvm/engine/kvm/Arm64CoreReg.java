package dev.linuxvm.engine.kvm;

/**
 * KVM_GET/SET_ONE_REG ids of arm64 core registers (Documentation/virt/kvm/api.rst, 4.68
 * "KVM_SET_ONE_REG", "ARM64 registers"; arch/arm64/include/uapi/asm/kvm.h): KVM_REG_ARM64 |
 * KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offset of the field in struct kvm_regs / 4). struct
 * kvm_regs starts with struct user_pt_regs { u64 regs[31]; u64 sp; u64 pc; u64 pstate; }.
 */
public final class Arm64CoreReg {
    /** KVM_REG_ARM64: architecture field, bits 63:56. */
    public static final long KVM_REG_ARM64 = 0x6000_0000_0000_0000L;
    /** KVM_REG_SIZE_U64: log2(8) in bits 55:52. */
    public static final long KVM_REG_SIZE_U64 = 0x0030_0000_0000_0000L;
    /** KVM_REG_ARM_COPROC_SHIFT. */
    static final int KVM_REG_ARM_COPROC_SHIFT = 16;
    /** KVM_REG_ARM_CORE: coprocessor 0x0010. */
    public static final long KVM_REG_ARM_CORE = 0x0010L << KVM_REG_ARM_COPROC_SHIFT;

    /** Offsets in struct kvm_regs (struct user_pt_regs first). */
    static final int OFF_regs = 0, OFF_sp = 31 * 8, OFF_pc = 32 * 8, OFF_pstate = 33 * 8;

    /** PSTATE mode EL1h (EL1 using SP_EL1). */
    public static final long PSR_MODE_EL1h = 0x5;
    /** PSTATE.F, I, A, D: FIQ, IRQ, SError and debug masked. */
    public static final long PSR_F_BIT = 0x40, PSR_I_BIT = 0x80, PSR_A_BIT = 0x100, PSR_D_BIT = 0x200;
    /** Documentation/arch/arm64/booting.rst: EL1h with all of DAIF masked. */
    public static final long BOOT_PSTATE = PSR_MODE_EL1h | PSR_F_BIT | PSR_I_BIT | PSR_A_BIT | PSR_D_BIT;

    private Arm64CoreReg() {
    }

    static long core(int offsetInKvmRegs) {
        return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offsetInKvmRegs / 4);
    }

    /** x{@code n}, 0..30. */
    public static long x(int n) {
        if (n < 0 || n > 30) {
            throw new IllegalArgumentException("x" + n + ": arm64 has x0..x30");
        }
        return core(OFF_regs + 8 * n);
    }

    public static long sp() {
        return core(OFF_sp);
    }

    public static long pc() {
        return core(OFF_pc);
    }

    public static long pstate() {
        return core(OFF_pstate);
    }
}
