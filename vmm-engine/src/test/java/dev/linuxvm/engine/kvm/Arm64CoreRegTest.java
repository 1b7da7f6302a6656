package dev.linuxvm.engine.kvm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Arm64CoreRegTest {
    @Test
    void core_register_ids() {
        // KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | offsetof(struct kvm_regs, F) / 4
        assertThat(Arm64CoreReg.x(0)).isEqualTo(0x6030_0000_0010_0000L);  // regs.regs[0]: offset 0
        assertThat(Arm64CoreReg.x(1)).isEqualTo(0x6030_0000_0010_0002L);  // regs.regs[1]: offset 8
        assertThat(Arm64CoreReg.x(30)).isEqualTo(0x6030_0000_0010_003CL); // regs.regs[30]: offset 240
        assertThat(Arm64CoreReg.sp()).isEqualTo(0x6030_0000_0010_003EL);  // regs.sp: offset 248
        assertThat(Arm64CoreReg.pc()).isEqualTo(0x6030_0000_0010_0040L);  // regs.pc: offset 256
        assertThat(Arm64CoreReg.pstate()).isEqualTo(0x6030_0000_0010_0042L); // regs.pstate: offset 264
        assertThatThrownBy(() -> Arm64CoreReg.x(31)).hasMessageContaining("x0..x30");
    }

    @Test
    void boot_pstate_is_el1h_with_daif_masked() {
        assertThat(Arm64CoreReg.BOOT_PSTATE).isEqualTo(0x3C5L);
    }

    @Test
    void spi_irq_line_numbers() {
        // PL011 on QEMU virt: SPI 1 = INTID 33; type SPI (1) in bits 27:24.
        assertThat(Arm64Irq.spi(1)).isEqualTo(0x0100_0021);
    }
}
