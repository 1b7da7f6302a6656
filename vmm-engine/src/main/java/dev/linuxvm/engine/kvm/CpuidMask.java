package dev.linuxvm.engine.kvm;

import java.util.List;

/**
 * Bits to clear in one register of one CPUID leaf before KVM_SET_CPUID2. Bit positions from
 * the Intel SDM Vol. 2A, CPUID, Table 3-10 (leaf 1 ECX), Table 3-8 (leaf 7 sub-leaf 0) and
 * leaf 0xD ("Processor Extended State Enumeration").
 *
 * @param name      what the bits are, for reports
 * @param function  the leaf (EAX input)
 * @param index     the sub-leaf (ECX input), or {@link #ANY_INDEX}
 * @param register  which output register
 * @param bits      the bits to clear
 */
public record CpuidMask(String name, int function, int index, Register register, int bits) {
    /** Applies to every sub-leaf. */
    public static final int ANY_INDEX = -1;

    public enum Register { EAX, EBX, ECX, EDX }

    /** Leaf 1 ECX bit 13: CMPXCHG16B. */
    public static final CpuidMask CX16 = new CpuidMask("cx16", 0x1, ANY_INDEX, Register.ECX, 1 << 13);
    /** Leaf 1 ECX: FMA (12), XSAVE (26), OSXSAVE (27), AVX (28), F16C (29); AVX needs XSAVE. */
    public static final CpuidMask XSAVE_AVX = new CpuidMask("xsave, osxsave, avx, fma, f16c", 0x1, ANY_INDEX,
            Register.ECX, (1 << 12) | (1 << 26) | (1 << 27) | (1 << 28) | (1 << 29));
    /** Leaf 7.0 EBX: AVX2 (5) and the AVX-512 family (16, 17, 21, 26, 27, 28, 30, 31), all XSAVE state. */
    public static final CpuidMask AVX2_AVX512 = new CpuidMask("avx2, avx512*", 0x7, 0, Register.EBX,
            (1 << 5) | (1 << 16) | (1 << 17) | (1 << 21) | (1 << 26) | (1 << 27) | (1 << 28) | (1 << 30) | (1 << 31));

    /**
     * The defaults: on PVM hosts KVM's instruction emulator executes guest kernel code and has
     * no {@code lock cmpxchg16b} nor {@code xrstor}, and fails with an emulation error when an
     * unmodified kernel uses them (DESIGN.md, "This machine (PVM)"). Hiding cx16 and the XSAVE
     * family (with leaf 0xD, its enumeration) makes the kernel take other paths. On real KVM the
     * guest loses little (no AVX in a test VM).
     */
    public static final List<CpuidMask> DEFAULTS = List.of(
            CX16, XSAVE_AVX, AVX2_AVX512,
            new CpuidMask("xsave state enumeration", 0xD, ANY_INDEX, Register.EAX, -1),
            new CpuidMask("xsave state enumeration", 0xD, ANY_INDEX, Register.EBX, -1),
            new CpuidMask("xsave state enumeration", 0xD, ANY_INDEX, Register.ECX, -1),
            new CpuidMask("xsave state enumeration", 0xD, ANY_INDEX, Register.EDX, -1));

    boolean matches(KvmCpuidEntry2 e) {
        return e.function == function && (index == ANY_INDEX || e.index == index);
    }

    void applyTo(KvmCpuidEntry2 e) {
        switch (register) {
            case EAX: e.eax &= ~bits; break;
            case EBX: e.ebx &= ~bits; break;
            case ECX: e.ecx &= ~bits; break;
            case EDX: e.edx &= ~bits; break;
            default: throw new AssertionError(register);
        }
    }
}
