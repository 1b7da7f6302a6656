package dev.linuxvm.engine.kvm;

import java.util.List;

/**
 * Bits to clear in one register of one CPUID leaf before KVM_SET_CPUID2. Bit positions from
 * the Intel SDM Vol. 2A, CPUID, Table 3-10 (leaf 1 ECX), Table 3-8 (leaf 7 sub-leaf 0), leaf
 * 0xA ("Architectural Performance Monitoring") and leaf 0xD ("Processor Extended State
 * Enumeration"), and the AMD APM Vol. 3, Appendix E (leaf 0x80000001).
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

    /** Leaf 0x80000001 ECX bit 23: PerfCtrExtCore, AMD's six-counter core PMU (AMD APM Vol. 3, E.4.2). */
    public static final CpuidMask PERFCTR_CORE = new CpuidMask("perfctr_core", 0x8000_0001, ANY_INDEX, Register.ECX, 1 << 23);

    /**
     * The defaults.
     * <ul>
     *   <li>PVM: on PVM hosts KVM's instruction emulator executes guest kernel code and has no
     *       {@code lock cmpxchg16b} nor {@code xrstor}, and fails with an emulation error when an
     *       unmodified kernel uses them (vmm-engine/README.md, "PVM"). Hiding cx16 and the
     *       XSAVE family (with leaf 0xD, its enumeration) makes the kernel take other paths. On
     *       real KVM the guest loses little (no AVX in a test VM).</li>
     *   <li>PMU: a test VM needs no hardware performance counters, and a nested KVM often has
     *       none to give. Intel: with leaf 0xA (architectural performance monitoring) zero, 6.1's
     *       intel_pmu_init finds no PMU and the kernel touches no counter MSR ("no PMU driver,
     *       software events only"). AMD: 6.1's amd_pmu_init has no CPUID switch (any family
     *       &ge; 6 is probed); without perfctr_core it probes only the four legacy K7 counters,
     *       with *_safe MSR accesses, and says "PMU not available due to virtualization" once the
     *       hypervisor bit is set ({@link X86Cpuid}). A KVM with its PMU disabled logs that probe
     *       as "Unhandled WRMSR(0xc0010007) = 0xffff"; nothing in CPUID avoids it on AMD.</li>
     * </ul>
     */
    public static final List<CpuidMask> DEFAULTS = List.of(
            CX16, XSAVE_AVX, AVX2_AVX512,
            new CpuidMask("xsave state enumeration", 0xD, ANY_INDEX, Register.EAX, -1),
            new CpuidMask("xsave state enumeration", 0xD, ANY_INDEX, Register.EBX, -1),
            new CpuidMask("xsave state enumeration", 0xD, ANY_INDEX, Register.ECX, -1),
            new CpuidMask("xsave state enumeration", 0xD, ANY_INDEX, Register.EDX, -1),
            new CpuidMask("architectural perfmon", 0xA, ANY_INDEX, Register.EAX, -1),
            new CpuidMask("architectural perfmon", 0xA, ANY_INDEX, Register.EBX, -1),
            new CpuidMask("architectural perfmon", 0xA, ANY_INDEX, Register.ECX, -1),
            new CpuidMask("architectural perfmon", 0xA, ANY_INDEX, Register.EDX, -1),
            PERFCTR_CORE);

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
