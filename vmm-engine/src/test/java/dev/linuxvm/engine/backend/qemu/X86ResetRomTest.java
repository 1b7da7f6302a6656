package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.X86BootState;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.linuxvm.engine.backend.qemu.TestGuests.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class X86ResetRomTest {
    private static final X86BootState STATE = new X86BootState(
            0x100_0000L, 0x2000, 0x8000, 0x2, 0x8000_0011L, 0x4000, 0x20, 0x500, 0x1000, 31, 0x10, 0x18);

    @Test
    void size_and_offsets_are_pinned() {
        assertThat(X86ResetRom.SIZE).isEqualTo(0x10000);
        assertThat(X86ResetRom.LOW_ALIAS_BASE).isEqualTo(0xf0000);
        assertThat(X86ResetRom.RESET_VECTOR_OFFSET).isEqualTo(0xfff0);
        assertThat(X86ResetRom.CODE_OFFSET).isEqualTo(0xf000);
        assertThat(X86ResetRom.LONG64_OFFSET).isEqualTo(0xf055);
        assertThat(X86ResetRom.GDTR_OFFSET).isEqualTo(0xf0c0);
        assertThat(X86ResetRom.ENTERED_OFFSET).isEqualTo(0xf0c8);
        assertThat(X86ResetRom.NULL_IDTR_OFFSET).isEqualTo(0xf0d0);
        assertThat(X86ResetRom.build(STATE)).hasSize(X86ResetRom.SIZE);
    }

    @Test
    void code_enters_long_mode_with_the_boot_state_values() {
        byte[] rom = X86ResetRom.build(STATE);
        // Checked with `objdump -b binary -m i8086` (up to 0xf043) and `-m i386:x86-64` (from 0xf043).
        byte[] expected = bytes(
            0xfa,                                     // f000: cli
            0xfc,                                     // f001: cld
            0x8c, 0xc8,                               // f002: mov   %cs, %ax
            0x8e, 0xd8,                               // f004: mov   %ax, %ds
            0x80, 0x3e, 0xc8, 0xf0, 0x00,             // f006: cmpb  $0x0, 0xf0c8          entered?
            0x74, 0x06,                               // f00b: je    0xf013
            0x0f, 0x01, 0x1e, 0xd0, 0xf0,             // f00d: lidtw 0xf0d0                IDT limit 0
            0xcc,                                     // f012: int3                        triple fault
            0xc6, 0x06, 0xc8, 0xf0, 0x01,             // f013: movb  $0x1, 0xf0c8
            0x66, 0x0f, 0x01, 0x16, 0xc0, 0xf0,       // f018: lgdtl 0xf0c0
            0x66, 0xb8, 0x20, 0x00, 0x00, 0x00,       // f01e: mov   $0x20, %eax          CR4.PAE
            0x0f, 0x22, 0xe0,                         // f024: mov   %eax, %cr4
            0x66, 0xb8, 0x00, 0x40, 0x00, 0x00,       // f027: mov   $0x4000, %eax        PML4
            0x0f, 0x22, 0xd8,                         // f02d: mov   %eax, %cr3
            0x66, 0xb9, 0x80, 0x00, 0x00, 0xc0,       // f030: mov   $0xc0000080, %ecx    IA32_EFER
            0x66, 0xb8, 0x00, 0x01, 0x00, 0x00,       // f036: mov   $0x100, %eax         LME (LMA masked)
            0x66, 0xba, 0x00, 0x00, 0x00, 0x00,       // f03c: mov   $0x0, %edx
            0x0f, 0x30,                               // f042: wrmsr
            0x66, 0xb8, 0x11, 0x00, 0x00, 0x80,       // f044: mov   $0x80000011, %eax    PG | ET | PE
            0x0f, 0x22, 0xc0,                         // f04a: mov   %eax, %cr0
            0x66, 0xea, 0x55, 0xf0, 0x0f, 0x00, 0x10, 0x00, // f04d: ljmpl $0x10, $0xff055
            0xb8, 0x18, 0x00, 0x00, 0x00,             // f055: mov   $0x18, %eax
            0x8e, 0xd8,                               // f05a: mov   %eax, %ds
            0x8e, 0xc0,                               // f05c: mov   %eax, %es
            0x8e, 0xd0,                               // f05e: mov   %eax, %ss
            0x8e, 0xe0,                               // f060: mov   %eax, %fs
            0x8e, 0xe8,                               // f062: mov   %eax, %gs
            0x48, 0xbc, 0x00, 0x80, 0, 0, 0, 0, 0, 0, // f064: movabs $0x8000, %rsp
                                                      // (RFLAGS 0x2 is what cli; cld leave: no popfq)
            0x48, 0xbe, 0x00, 0x20, 0, 0, 0, 0, 0, 0, // f06e: movabs $0x2000, %rsi
            0x48, 0xa1, 0xf8, 0x1f, 0, 0, 0, 0, 0, 0, // f078: movabs 0x1ff8, %rax (the entry slot)
            0xff, 0xe0);                              // f082: jmp   *%rax
        assertThat(Arrays.copyOfRange(rom, 0xf000, 0xf000 + expected.length)).isEqualTo(expected);
    }

    @Test
    void the_entry_comes_from_the_slot_so_one_rom_serves_every_kernel() {
        assertThat(X86ResetRom.ENTRY_SLOT).isEqualTo(0x1ff8);
        X86BootState other = new X86BootState(0x200_0000, STATE.rsi(), STATE.rsp(), STATE.rflags(), STATE.cr0(), STATE.cr3(),
                STATE.cr4(), STATE.efer(), STATE.gdtBase(), STATE.gdtLimit(), STATE.codeSelector(), STATE.dataSelector());
        assertThat(X86ResetRom.build(other)).isEqualTo(X86ResetRom.build(STATE));
        assertThat(X86ResetRom.entrySlot(STATE)).isEqualTo(bytes(0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0)); // 0x1000000
        assertThat(X86ResetRom.entrySlot(other)).isEqualTo(bytes(0x00, 0x00, 0x00, 0x02, 0, 0, 0, 0));
    }

    @Test
    void gdtr_and_reset_vector() {
        byte[] rom = X86ResetRom.build(STATE);
        assertThat(Arrays.copyOfRange(rom, 0xf0c0, 0xf0c6)).isEqualTo(bytes(
            0x1f, 0x00,                               // limit 31
            0x00, 0x10, 0x00, 0x00));                 // base 0x1000
        assertThat(Arrays.copyOfRange(rom, 0xfff0, 0x10000)).isEqualTo(bytes(
            0xea, 0x00, 0xf0, 0x00, 0xf0,             // fff0: ljmp $0xf000, $0xf000
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void everything_else_is_zero_so_kernel_scans_of_the_bios_area_find_nothing() {
        byte[] rom = X86ResetRom.build(STATE);
        for (int i = 0; i < rom.length; i++) {
            boolean code = i >= 0xf000 && i < 0xf084;
            boolean gdtr = i >= 0xf0c0 && i < 0xf0c6;
            boolean reset = i >= 0xfff0 && i < 0xfff5;
            if (!code && !gdtr && !reset) {
                assertThat(rom[i]).as("ROM byte 0x%x", i).isZero();
            }
        }
    }

    @Test
    void other_rflags_are_popped_from_the_boot_stack() {
        X86BootState s = new X86BootState(0x100_0000L, 0x2000, 0x8000, 0x46, 0x8000_0011L, 0x4000, 0x20, 0x500, 0x1000, 31, 0x10, 0x18);
        byte[] rom = X86ResetRom.build(s);
        assertThat(Arrays.copyOfRange(rom, 0xf06e, 0xf074)).isEqualTo(bytes(
            0x68, 0x46, 0x00, 0x00, 0x00,             // f06e: push  $0x46
            0x9d));                                   // f073: popfq
    }

    @Test
    void rejects_rflags_that_need_a_stack_when_rsp_is_zero() {
        X86BootState s = new X86BootState(0x100_0000L, 0x2000, 0, 0x46, 0x8000_0011L, 0x4000, 0x20, 0x500, 0x1000, 31, 0x10, 0x18);
        assertThatThrownBy(() -> X86ResetRom.build(s)).isInstanceOf(QemuException.class)
                .hasMessageContaining("RFLAGS other than 0x2 need a stack");
        assertThat(X86ResetRom.build(new X86BootState(0x100_0000L, 0x2000, 0, 0x2, 0x8000_0011L, 0x4000, 0x20, 0x500, 0x1000, 31, 0x10, 0x18)))
                .hasSize(X86ResetRom.SIZE);
    }

    @Test
    void rejects_a_pml4_above_4_gib() {
        X86BootState s = new X86BootState(0x100_0000L, 0x2000, 0, 2, 0x8000_0011L, 1L << 32, 0x20, 0x500, 0x1000, 31, 0x10, 0x18);
        assertThatThrownBy(() -> X86ResetRom.build(s)).isInstanceOf(QemuException.class)
                .hasMessageContaining("PML4 (CR3) must be below 4 GiB");
    }

    @Test
    void rejects_a_state_without_paging_or_long_mode() {
        X86BootState noPg = new X86BootState(0x100_0000L, 0x2000, 0, 2, 0x11, 0x4000, 0x20, 0x500, 0x1000, 31, 0x10, 0x18);
        assertThatThrownBy(() -> X86ResetRom.build(noPg)).hasMessageContaining("CR0 must have PE and PG");
        X86BootState noLme = new X86BootState(0x100_0000L, 0x2000, 0, 2, 0x8000_0011L, 0x4000, 0x20, 0, 0x1000, 31, 0x10, 0x18);
        assertThatThrownBy(() -> X86ResetRom.build(noLme)).hasMessageContaining("EFER must have LME");
        X86BootState badSel = new X86BootState(0x100_0000L, 0x2000, 0, 2, 0x8000_0011L, 0x4000, 0x20, 0x500, 0x1000, 31, 0x20, 0x18);
        assertThatThrownBy(() -> X86ResetRom.build(badSel)).hasMessageContaining("code selector must index a GDT entry");
    }
}
