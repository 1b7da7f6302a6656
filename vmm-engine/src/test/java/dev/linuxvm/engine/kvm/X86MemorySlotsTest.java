package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.boot.x86.X86Layout;
import dev.linuxvm.engine.RamRange;
import dev.linuxvm.engine.boot.x86.X86GuestBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The KVM memory slots the x86 machine maps for the builder's RAM ranges. */
class X86MemorySlotsTest {
    private static final long MIB = 1L << 20, GIB = 1L << 30;

    @Test
    void one_slot_up_to_3_gib() {
        assertThat(KvmX86Machine.memorySlots(X86GuestBuilder.ramRanges(512 * MIB))).containsExactly(new RamRange(0, 512 * MIB));
        assertThat(KvmX86Machine.memorySlots(X86GuestBuilder.ramRanges(3 * GIB))).containsExactly(new RamRange(0, 3 * GIB));
    }

    @Test
    void a_second_slot_from_4_gib_beyond_3_gib() {
        assertThat(KvmX86Machine.memorySlots(X86GuestBuilder.ramRanges(3 * GIB + 512 * MIB)))
                .containsExactly(new RamRange(0, 3 * GIB), new RamRange(4 * GIB, 512 * MIB));
        assertThat(KvmX86Machine.memorySlots(X86GuestBuilder.ramRanges(16 * GIB)))
                .containsExactly(new RamRange(0, 3 * GIB), new RamRange(4 * GIB, 13 * GIB));
    }

    @Test
    void ram_over_the_ioapic_lapic_and_tss_is_refused() {
        assertThatThrownBy(() -> KvmX86Machine.memorySlots(List.of(new RamRange(0, 3 * GIB + 512 * MIB))))
                .isInstanceOf(KvmException.class)
                .hasMessageContaining("overlaps the 32-bit hole [0xc0000000-0x100000000)");
        assertThat(X86Layout.KVM_TSS_START).isBetween(KvmX86Machine.HOLE_START, KvmX86Machine.HOLE_END - 3 * 4096);
        assertThat(X86Layout.KVM_IDENTITY_MAP_START).isBetween(KvmX86Machine.HOLE_START, KvmX86Machine.HOLE_END - 4096);
    }
}
