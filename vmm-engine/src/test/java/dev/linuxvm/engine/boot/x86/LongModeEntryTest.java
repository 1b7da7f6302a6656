package dev.linuxvm.engine.boot.x86;

import dev.linuxvm.engine.X86BootState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LongModeEntryTest {
    @Test
    void bsp_enters_long_mode_at_the_kernel_entry_with_rsi_at_the_zero_page() {
        X86BootState s = LongModeEntry.at(0x100_0000);
        assertThat(s.rip()).isEqualTo(0x100_0000);
        assertThat(s.entryPoint()).isEqualTo(0x100_0000);
        assertThat(s.rsi()).isEqualTo(0x2000);          // boot_params
        assertThat(s.rflags()).isEqualTo(0x2);          // reserved bit 1, IF clear
        assertThat(s.cr0()).isEqualTo(0x8000_0011L);    // PG | ET | PE
        assertThat(s.cr3()).isEqualTo(0x4000);          // PML4
        assertThat(s.cr4()).isEqualTo(0x20);            // PAE
        assertThat(s.efer()).isEqualTo(0x500);          // LMA | LME
        assertThat(s.gdtBase()).isEqualTo(0x1000);
        assertThat(s.gdtLimit()).isEqualTo(31);
        assertThat(s.codeSelector()).isEqualTo(0x10);   // __BOOT_CS
        assertThat(s.dataSelector()).isEqualTo(0x18);   // __BOOT_DS
    }
}
