package dev.linuxvm.engine.kvm;

import java.util.ArrayList;
import java.util.List;

/** Turns KVM_GET_SUPPORTED_CPUID into one vCPU's KVM_SET_CPUID2 table. */
final class X86Cpuid {
    /** Leaf 1 EBX bits 31:24: initial APIC ID (SDM Vol. 2A, CPUID leaf 1). */
    static final int LEAF1_EBX_APIC_ID_SHIFT = 24;
    /** Leaves 0xB and 0x1F EDX: x2APIC ID of the current logical processor. */
    static final int LEAF_EXTENDED_TOPOLOGY = 0xB, LEAF_V2_EXTENDED_TOPOLOGY = 0x1F;

    private X86Cpuid() {
    }

    /**
     * A copy of {@code supported} with {@code masks} applied and the APIC ID fields set to
     * {@code apicId} (KVM reports zeroes there; the kernel matches CPUID to the MADT by them).
     */
    static List<KvmCpuidEntry2> forVcpu(List<KvmCpuidEntry2> supported, List<CpuidMask> masks, int apicId) {
        List<KvmCpuidEntry2> out = new ArrayList<>(supported.size());
        for (KvmCpuidEntry2 s : supported) {
            KvmCpuidEntry2 e = s.copy();
            for (CpuidMask m : masks) {
                if (m.matches(e)) {
                    m.applyTo(e);
                }
            }
            if (e.function == 1) {
                e.ebx = (e.ebx & 0x00FF_FFFF) | (apicId << LEAF1_EBX_APIC_ID_SHIFT);
            } else if (e.function == LEAF_EXTENDED_TOPOLOGY || e.function == LEAF_V2_EXTENDED_TOPOLOGY) {
                e.edx = apicId;
            }
            out.add(e);
        }
        return out;
    }
}
