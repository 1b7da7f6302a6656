package dev.linuxvm.engine.kvm;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns KVM_GET_SUPPORTED_CPUID into one vCPU's KVM_SET_CPUID2 table: the masks, the vCPU's
 * APIC ID, and what KVM leaves to user space so that the guest knows it runs on KVM:
 * <ul>
 *   <li>leaf 1 ECX bit 31, "hypervisor present": KVM does not report it (arch/x86/kvm/cpuid.c,
 *       kvm_set_cpu_caps), and Linux only looks at the hypervisor leaves when it is set
 *       (arch/x86/kernel/kvm.c, __kvm_cpuid_base). Without it the guest sees no kvmclock and
 *       calibrates the TSC against the PIT ("tsc: Unable to calibrate against PIT");</li>
 *   <li>leaves 0x40000000 ("KVMKVMKVM", max leaf) and 0x40000001 (KVM_FEATURE_CLOCKSOURCE2 and
 *       the other paravirtual features) pass through as KVM reports them; with kvmclock, 6.1
 *       takes tsc_khz from the pvclock page (kvmclock.c, kvm_get_tsc_khz) and sets
 *       TSC_KNOWN_FREQ, so nothing is calibrated;</li>
 *   <li>leaf 0x40000010 (the VMware-defined timing leaf that QEMU also fills for KVM guests):
 *       EAX TSC kHz from KVM_GET_TSC_KHZ, EBX APIC bus kHz, when the TSC frequency is known.
 *       Linux 6.1 does not read it on KVM; other guests and tools do.</li>
 * </ul>
 */
final class X86Cpuid {
    /** Leaf 1 EBX bits 31:24: initial APIC ID (SDM Vol. 2A, CPUID leaf 1). */
    static final int LEAF1_EBX_APIC_ID_SHIFT = 24;
    /** Leaf 1 ECX bit 31: hypervisor present (reserved for this use by Intel and AMD). */
    static final int LEAF1_ECX_HYPERVISOR = 1 << 31;
    /** Leaves 0xB and 0x1F EDX: x2APIC ID of the current logical processor. */
    static final int LEAF_EXTENDED_TOPOLOGY = 0xB, LEAF_V2_EXTENDED_TOPOLOGY = 0x1F;
    /** KVM_CPUID_SIGNATURE (arch/x86/include/uapi/asm/kvm_para.h): EAX = highest hypervisor leaf. */
    static final int KVM_CPUID_SIGNATURE = 0x4000_0000;
    /** "KVMKVMKVM\0\0\0" as EBX, ECX, EDX. */
    static final int KVM_SIGNATURE_EBX = 0x4B4D_564B, KVM_SIGNATURE_ECX = 0x564B_4D56, KVM_SIGNATURE_EDX = 0x4D;
    /** The hypervisor timing leaf: EAX TSC frequency in kHz, EBX APIC bus frequency in kHz. */
    static final int TIMING_LEAF = 0x4000_0010;
    /** KVM's APIC timer counts at 1 GHz (arch/x86/kvm/lapic.c, APIC_BUS_CYCLE_NS = 1). */
    static final int KVM_APIC_BUS_KHZ = 1_000_000;

    private X86Cpuid() {
    }

    /** {@link #forVcpu(List, List, int, long)} without a known TSC frequency. */
    static List<KvmCpuidEntry2> forVcpu(List<KvmCpuidEntry2> supported, List<CpuidMask> masks, int apicId) {
        return forVcpu(supported, masks, apicId, 0);
    }

    /**
     * A copy of {@code supported} with {@code masks} applied, the APIC ID fields set to
     * {@code apicId} (KVM reports zeroes there; the kernel matches CPUID to the MADT by them),
     * the hypervisor bit set and, if {@code tscKhz > 0} and KVM's signature leaf is there, the
     * timing leaf added. See the class comment.
     */
    static List<KvmCpuidEntry2> forVcpu(List<KvmCpuidEntry2> supported, List<CpuidMask> masks, int apicId, long tscKhz) {
        List<KvmCpuidEntry2> out = new ArrayList<>(supported.size() + 1);
        boolean kvmLeaves = false;
        for (KvmCpuidEntry2 s : supported) {
            if (s.function == TIMING_LEAF) {
                continue; // ours below, if any
            }
            KvmCpuidEntry2 e = s.copy();
            for (CpuidMask m : masks) {
                if (m.matches(e)) {
                    m.applyTo(e);
                }
            }
            if (e.function == 1) {
                e.ebx = (e.ebx & 0x00FF_FFFF) | (apicId << LEAF1_EBX_APIC_ID_SHIFT);
                e.ecx |= LEAF1_ECX_HYPERVISOR;
            } else if (e.function == LEAF_EXTENDED_TOPOLOGY || e.function == LEAF_V2_EXTENDED_TOPOLOGY) {
                e.edx = apicId;
            } else if (e.function == KVM_CPUID_SIGNATURE && e.ebx == KVM_SIGNATURE_EBX
                    && e.ecx == KVM_SIGNATURE_ECX && e.edx == KVM_SIGNATURE_EDX) {
                kvmLeaves = true;
                if (tscKhz > 0) {
                    e.eax = Math.max(e.eax, TIMING_LEAF);
                }
            }
            out.add(e);
        }
        if (kvmLeaves && tscKhz > 0) {
            KvmCpuidEntry2 timing = new KvmCpuidEntry2();
            timing.function = TIMING_LEAF;
            timing.eax = (int) Math.min(tscKhz, Integer.MAX_VALUE);
            timing.ebx = KVM_APIC_BUS_KHZ;
            out.add(timing);
        }
        return out;
    }
}
