package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arm64BootState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Arm64TrampolineTest {
    @Test
    void encodes_the_six_instructions_and_two_literals() {
        byte[] actual = Arm64Trampoline.encode(new Arm64BootState(0x4020_0000L, 0x4800_0000L));
        // Checked against aarch64-linux-gnu-as / objdump.
        byte[] expected = concat(TestGuests.words(new int[] {
            0x580000c0, // 00: ldr x0, 0x18
            0xaa1f03e1, // 04: mov x1, xzr
            0xaa1f03e2, // 08: mov x2, xzr
            0xaa1f03e3, // 0c: mov x3, xzr
            0x58000084, // 10: ldr x4, 0x20
            0xd61f0080, // 14: br  x4
            0x4800_0000, 0x0000_0000, // 18: .quad 0x48000000   DTB (x0)
            0x4020_0000, 0x0000_0000, // 20: .quad 0x40200000   entry (PC)
        }));
        assertThat(actual).isEqualTo(expected);
        assertThat(actual).hasSize(Arm64Trampoline.SIZE);
    }

    @Test
    void size_is_pinned() {
        assertThat(Arm64Trampoline.SIZE).isEqualTo(40);
        assertThat(Arm64Trampoline.DTB_LITERAL_OFFSET).isEqualTo(0x18);
        assertThat(Arm64Trampoline.ENTRY_LITERAL_OFFSET).isEqualTo(0x20);
    }

    @Test
    void literals_carry_full_64_bit_addresses() {
        byte[] actual = Arm64Trampoline.encode(new Arm64BootState(0x1_2345_6789_a000L, 0xfedc_ba98_7654_3210L));
        assertThat(java.nio.ByteBuffer.wrap(actual).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0x18)).isEqualTo(0xfedc_ba98_7654_3210L);
        assertThat(java.nio.ByteBuffer.wrap(actual).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0x20)).isEqualTo(0x1_2345_6789_a000L);
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
