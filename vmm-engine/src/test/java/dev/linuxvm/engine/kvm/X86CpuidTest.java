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
        assertThat(X86Cpuid.forVcpu(supported, List.of(), 0).get(0).ecx).isEqualTo(1 << 13);
    }
}
