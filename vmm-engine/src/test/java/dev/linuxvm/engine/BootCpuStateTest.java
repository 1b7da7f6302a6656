package dev.linuxvm.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BootCpuStateTest {
    private static final X86BootState X86 = new X86BootState(0x100_0000, 0x2000, 0, 2, 0x8000_0011L, 0x4000, 0x20, 0x500,
            0x1000, 31, 0x10, 0x18);
    private static final Arm64BootState ARM64 = new Arm64BootState(0x4020_0000L, 0x4010_2000L);

    @Test
    void the_boot_state_is_sealed_to_the_two_architectures() {
        assertThat(BootCpuState.class.isSealed()).isTrue();
        assertThat(BootCpuState.class.getPermittedSubclasses()).containsExactlyInAnyOrder(X86BootState.class, Arm64BootState.class);
    }

    @Test
    void match_takes_the_branch_of_the_states_architecture_with_the_typed_state() {
        assertThat(X86.<String>match(x -> "x86 rsi=" + Long.toHexString(x.rsi()), a -> "arm64"))
                .isEqualTo("x86 rsi=2000");
        assertThat(ARM64.<String>match(x -> "x86", a -> "arm64 x0=" + Long.toHexString(a.x0())))
                .isEqualTo("arm64 x0=40102000");
    }

    @Test
    void entry_point_is_rip_or_pc() {
        assertThat(X86.entryPoint()).isEqualTo(0x100_0000);
        assertThat(ARM64.entryPoint()).isEqualTo(0x4020_0000L);
    }
}
