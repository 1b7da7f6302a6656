package dev.linuxvm.engine.kvm;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

class X86LapicTest {
    private static ByteBuffer regs(int lvt0, int lvt1) {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x350, lvt0);
        b.putInt(0x360, lvt1);
        b.putInt(0x320, 0x0001_00EF); // LVT timer, must stay as it is
        return b;
    }

    @Test
    void an_ap_after_kvm_reset_gets_masked_extint_and_masked_nmi() {
        ByteBuffer b = regs(0x0001_0000, 0x0001_0000); // KVM resets every LVT to APIC_LVT_MASKED
        X86Lapic.setLint(b);
        assertThat(b.getInt(0x350)).as("LVT0: masked, ExtINT").isEqualTo(0x0001_0700);
        assertThat(b.getInt(0x360)).as("LVT1: masked, NMI").isEqualTo(0x0001_0400);
        assertThat(b.getInt(0x320)).isEqualTo(0x0001_00EF);
    }

    @Test
    void the_bsp_keeps_its_unmasked_extint_and_other_bits() {
        ByteBuffer b = regs(0x0000_0700, 0x0000_A2FF); // BSP LINT0 (KVM_X86_QUIRK_LINT0_REENABLED); LINT1 with other bits set
        X86Lapic.setLint(b);
        assertThat(b.getInt(0x350)).isEqualTo(0x0000_0700);
        assertThat(b.getInt(0x360)).as("only bits 10:8 change").isEqualTo(0x0000_A4FF);
    }
}
