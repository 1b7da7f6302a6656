package dev.linuxvm.engine.kvm;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.linuxvm.engine.kvm.Arm64MachineState.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vGICv3 register lists and encodings that arm64 snapshots use (they run only on arm64
 * KVM: here the arithmetic, in the KVM lab the real thing). Encodings from
 * arch/arm64/include/uapi/asm/kvm.h and Documentation/virt/kvm/devices/arm-vgic-v3.rst.
 */
class Arm64MachineStateTest {
    @Test
    void mpidr_el1_is_sys_reg_3_0_0_0_5() {
        // KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG (0x13 << 16) | op0 3 << 14 | op2 5
        assertThat(MPIDR_EL1).isEqualTo(0x6030_0000_0013_C005L);
    }

    @Test
    void icc_registers_use_the_sysreg_encoding() {
        assertThat(ICC_SRE_EL1).isEqualTo(0xC665L);      // 3, 0, 12, 12, 5 = 50789
        assertThat(ICC_CTLR_EL1).isEqualTo(0xC664L);
        assertThat(ICC_PMR_EL1).isEqualTo(0xC230L);      // 3, 0, 4, 6, 0
        assertThat(icc_ap0r(1)).isEqualTo(0xC645L);      // 3, 0, 12, 8, 5 = 50757
        assertThat(icc_ap1r(1)).isEqualTo(0xC649L);      // 3, 0, 12, 9, 1 = 50761
    }

    @Test
    void redistributor_attributes_carry_the_affinity_in_bits_63_32() {
        assertThat(gicAffinity(0x8000_0000L)).as("vCPU 0: only the RES1 bit 31 set").isEqualTo(0);
        assertThat(gicAffinity(0x8000_0003L)).isEqualTo(3L << 32);
        assertThat(gicAffinity(0x0000_0001_0002_0304L)).as("Aff3 moves to bits 31:24")
                .isEqualTo(0x0102_0304L << 32);
    }

    @Test
    void distributor_list_covers_the_spis_only() {
        List<GicReg> regs = distributorRegs(256);
        // CTLR, STATUSR; then per 224 SPIs: ISENABLER 7, IGROUPR 7, IROUTER 448, ICFGR 14,
        // ISPENDR 7, ISACTIVER 7, IPRIORITYR 56 words.
        assertThat(regs).hasSize(2 + 7 + 7 + 448 + 14 + 7 + 7 + 56);
        assertThat(regs.get(2).attr()).as("first ISENABLER word past the private IRQs").isEqualTo(GICD_ISENABLER + 4);
        assertThat(regs).extracting(GicReg::attr).contains((long) GICD_IROUTER + 32 * 8, (long) GICD_IROUTER + 255 * 8 + 4)
                .doesNotContain((long) GICD_IROUTER + 31 * 8, (long) GICD_IROUTER + 256 * 8);
        assertThat(regs).allSatisfy(r -> assertThat(r.group()).isEqualTo(KVM_DEV_ARM_VGIC_GRP_DIST_REGS));
    }

    @Test
    void cpu_interface_active_priority_registers_follow_the_priority_bits() {
        assertThat(cpuInterfaceRegs(0, 5)).hasSize(7 + 2);
        assertThat(cpuInterfaceRegs(0, 6)).hasSize(7 + 4);
        assertThat(cpuInterfaceRegs(1L << 32, 7)).hasSize(7 + 8)
                .allSatisfy(r -> assertThat(r.attr() >>> 32).isEqualTo(1));
    }
}
