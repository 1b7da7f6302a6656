package dev.linuxvm.engine.kvm;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class X86CpuidTest {
    private static KvmCpuidEntry2 entry(int function, int index, int eax, int ebx, int ecx, int edx) {
        KvmCpuidEntry2 e = new KvmCpuidEntry2();
        e.function = function;
        e.index = index;
        e.eax = eax;
        e.ebx = ebx;
        e.ecx = ecx;
        e.edx = edx;
        return e;
    }

    @Test
    void default_masks_hide_cx16_and_the_xsave_family() {
        int leaf1Ecx = (1 << 0) | (1 << 12) | (1 << 13) | (1 << 26) | (1 << 27) | (1 << 28) | (1 << 29) | (1 << 31);
        List<KvmCpuidEntry2> supported = List.of(
                entry(0x1, 0, 0x000806EC, 0x00000800, leaf1Ecx, 0x178BFBFF),
                entry(0x7, 0, 0, (1 << 5) | (1 << 16) | (1 << 0), 0, 0),
                entry(0x7, 1, 0, (1 << 5), 0, 0),
                entry(0xD, 1, 0xF, 0x240, 0, 0));
        List<KvmCpuidEntry2> out = X86Cpuid.forVcpu(supported, CpuidMask.DEFAULTS, 0);
        assertThat(out.get(0).ecx).as("leaf 1 ECX keeps SSE3 and the hypervisor bit only")
                .isEqualTo((1 << 0) | (1 << 31));
        assertThat(out.get(0).edx).as("leaf 1 EDX untouched").isEqualTo(0x178BFBFF);
        assertThat(out.get(1).ebx).as("leaf 7.0 EBX keeps FSGSBASE").isEqualTo(1 << 0);
        assertThat(out.get(2).ebx).as("the mask is for sub-leaf 0 only").isEqualTo(1 << 5);
        assertThat(out.get(3).eax | out.get(3).ebx).as("leaf 0xD cleared").isZero();
        assertThat(supported.get(0).ecx).as("the input is not modified").isEqualTo(leaf1Ecx);
    }

    @Test
    void apic_id_goes_into_leaf_1_ebx_and_the_topology_leaves() {
        List<KvmCpuidEntry2> supported = List.of(
                entry(0x1, 0, 0, 0x0001_0800, 0, 0),
                entry(0xB, 0, 1, 1, 0x100, 0),
                entry(0xB, 1, 4, 2, 0x201, 0),
                entry(0x1F, 0, 1, 1, 0x100, 0));
        List<KvmCpuidEntry2> out = X86Cpuid.forVcpu(supported, List.of(), 3);
        assertThat(out.get(0).ebx).isEqualTo(0x0301_0800);
        assertThat(out.subList(1, out.size())).allSatisfy(e -> assertThat(e.edx).isEqualTo(3));
    }

    @Test
    void empty_masks_pass_features_through() {
        List<KvmCpuidEntry2> supported = List.of(entry(0x1, 0, 0, 0, 1 << 13, 0));
        assertThat(X86Cpuid.forVcpu(supported, List.of(), 0).get(0).ecx)
                .as("cx16 kept, hypervisor bit added").isEqualTo((1 << 13) | (1 << 31));
    }

    /** KVM_GET_SUPPORTED_CPUID as printed on this project's PVM host (AMD, 6.1-era KVM leaves). */
    private static List<KvmCpuidEntry2> kvmHostLeaves() {
        return List.of(
                entry(0x0, 0, 0x1C, 0x68747541, 0x444D4163, 0x69746E65),            // AuthenticAMD
                entry(0x1, 0, 0x00A10F11, 0x00020800, 0x01202000, 0x078BFBFF),      // no hypervisor bit, as stock KVM
                entry(0xA, 0, 0x07300402, 0x0, 0x0, 0x00000603),                    // an Intel host's arch perfmon v2
                entry(0x4000_0000, 0, 0x4000_0001, 0x4B4D564B, 0x564B4D56, 0x4D),   // "KVMKVMKVM"
                entry(0x4000_0001, 0, 0x01007EFB, 0, 0, 0),
                entry(0x8000_0001, 0, 0x00A10F11, 0x40000000, 0x00C00393, 0x23D3FBFF));
    }

    @Test
    void the_guest_is_told_it_runs_on_kvm_and_keeps_kvmclock() {
        List<KvmCpuidEntry2> out = X86Cpuid.forVcpu(kvmHostLeaves(), CpuidMask.DEFAULTS, 1);
        assertThat(out.get(1).ecx & (1 << 31)).as("leaf 1 ECX hypervisor bit").isNotZero();
        assertThat(out.get(1).ebx >>> 24).as("APIC ID").isEqualTo(1);
        KvmCpuidEntry2 signature = out.get(3);
        assertThat(signature.function).isEqualTo(0x4000_0000);
        assertThat(new String(new byte[] {
                (byte) signature.ebx, (byte) (signature.ebx >> 8), (byte) (signature.ebx >> 16), (byte) (signature.ebx >> 24),
                (byte) signature.ecx, (byte) (signature.ecx >> 8), (byte) (signature.ecx >> 16), (byte) (signature.ecx >> 24),
                (byte) signature.edx}, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("KVMKVMKVM");
        assertThat(signature.eax).as("no TSC frequency known: max leaf unchanged").isEqualTo(0x4000_0001);
        KvmCpuidEntry2 features = out.get(4);
        assertThat(features.eax).as("KVM features as KVM reports them").isEqualTo(0x01007EFB);
        assertThat(features.eax & (1 << 3)).as("KVM_FEATURE_CLOCKSOURCE2").isNotZero();
        assertThat(features.eax & (1 << 24)).as("KVM_FEATURE_CLOCKSOURCE_STABLE_BIT").isNotZero();
        assertThat(out).hasSize(6);
    }

    @Test
    void a_known_tsc_frequency_becomes_the_timing_leaf() {
        List<KvmCpuidEntry2> out = X86Cpuid.forVcpu(kvmHostLeaves(), CpuidMask.DEFAULTS, 0, 2_596_148);
        assertThat(out.get(3).eax).as("max hypervisor leaf raised").isEqualTo(0x4000_0010);
        assertThat(out).hasSize(7);
        KvmCpuidEntry2 timing = out.get(6);
        assertThat(timing.function).isEqualTo(0x4000_0010);
        assertThat(timing.eax).as("TSC kHz").isEqualTo(2_596_148);
        assertThat(timing.ebx).as("APIC bus kHz (1 GHz)").isEqualTo(1_000_000);
        assertThat(timing.ecx | timing.edx).isZero();
    }

    @Test
    void no_timing_leaf_without_kvms_signature() {
        List<KvmCpuidEntry2> out = X86Cpuid.forVcpu(List.of(entry(0x1, 0, 0, 0, 0, 0),
                entry(0x4000_0000, 0, 0x4000_0001, 0x12345678, 0, 0)), List.of(), 0, 2_000_000);
        assertThat(out).extracting(e -> e.function).containsExactly(0x1, 0x4000_0000);
        assertThat(out.get(1).eax).isEqualTo(0x4000_0001);
    }

    @Test
    void default_masks_hide_the_pmu() {
        List<KvmCpuidEntry2> out = X86Cpuid.forVcpu(kvmHostLeaves(), CpuidMask.DEFAULTS, 0);
        KvmCpuidEntry2 perfmon = out.get(2);
        assertThat(perfmon.eax | perfmon.ebx | perfmon.ecx | perfmon.edx).as("leaf 0xA: no architectural perfmon").isZero();
        assertThat(out.get(5).ecx).as("0x80000001 ECX: perfctr_core (23) cleared, the rest kept").isEqualTo(0x00400393);
        assertThat(out.get(5).edx).isEqualTo(0x23D3FBFF);
    }
}
