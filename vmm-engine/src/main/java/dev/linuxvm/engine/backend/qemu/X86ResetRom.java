package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.VmmException.Kind;
import dev.linuxvm.engine.X86BootState;
import dev.linuxvm.engine.boot.x86.X86Layout;

/**
 * The 64 KiB {@code -bios} image the x86_64 executor gives QEMU: QEMU has no command-line way to
 * start a CPU in long mode, so this ROM takes the boot CPU from the reset vector to the state
 * {@link X86BootState} describes (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol") and
 * jumps to the kernel. The boot state's values are the immediates of the instructions below,
 * except the kernel entry: the ROM loads it from {@link #ENTRY_SLOT} in guest RAM, which the
 * executor fills with the rest of the image. The ROM is thus the same for every guest of the
 * engine ({@code LongModeEntry}), and QEMU, which reads it at start-up, can start before the
 * kernel is loaded ({@link QemuBackend#prestart}).
 *
 * <p>QEMU maps the ROM at 4 GiB - 64 KiB (reset vector at 0xFFFF_FFF0) and again at
 * 0xF_0000–0xF_FFFF (the "isa-bios" alias). The code runs from the low alias so that the only
 * addresses it touches after paging is on are the ones the engine's identity map covers. The
 * rest of the ROM is zero so the kernel's scans of 0xF0000–0xFFFFF (ACPI RSDP, MP floating
 * pointer, SMBIOS) find nothing here; the engine's RSDP at 0xE0000 is RAM below the ROM.
 *
 * <p>The CPU goes straight from real mode to long mode (Intel SDM Vol. 3A 9.8.5, "Initializing
 * IA-32e Mode": PAE and CR3 first, then EFER.LME, then CR0.PG with PE in the same write), then a
 * far jump through the engine's GDT loads the 64-bit code selector.
 *
 * <pre>
 * reset vector (ROM 0xfff0, linear 0xffff_fff0, CS.base 0xffff_0000):
 *   ea 00 f0 00 f0          ljmp  $0xf000, $0xf000          ; CS.base = 0xf_0000, low alias
 * code (ROM 0xf000, linear 0xf_f000), 16-bit:
 *   fa                      cli
 *   fc                      cld
 *   8c c8                   mov   %cs, %ax
 *   8e d8                   mov   %ax, %ds                  ; DS.base = 0xf_0000
 *   80 3e c8 f0 00          cmpb  $0x0, 0xf0c8              ; entered before?
 *   74 06                   je    first
 *   0f 01 1e d0 f0          lidtw 0xf0d0                    ; IDT limit 0
 *   cc                      int3                            ; → #GP → #DF → triple fault: reset
 * first:
 *   c6 06 c8 f0 01          movb  $0x1, 0xf0c8
 *   66 0f 01 16 c0 f0       lgdtl 0xf0c0                    ; pseudo-descriptor below: engine GDT
 *   66 b8 CR4               mov   $CR4, %eax
 *   0f 22 e0                mov   %eax, %cr4                ; PAE
 *   66 b8 CR3               mov   $CR3, %eax
 *   0f 22 d8                mov   %eax, %cr3                ; engine's PML4
 *   66 b9 80 00 00 c0       mov   $0xc0000080, %ecx         ; IA32_EFER
 *   66 b8 EFERlo            mov   $EFER_lo, %eax            ; LME (LMA cleared: the CPU sets it)
 *   66 ba EFERhi            mov   $EFER_hi, %edx
 *   0f 30                   wrmsr
 *   66 b8 CR0               mov   $CR0, %eax
 *   0f 22 c0                mov   %eax, %cr0                ; PE | PG: IA-32e compatibility mode
 *   66 ea LONG64 CS         ljmpl $CS, $0xff055             ; 64-bit mode
 * long64 (ROM 0xf055), 64-bit:
 *   b8 DS                   mov   $DS, %eax
 *   8e d8                   mov   %eax, %ds
 *   8e c0                   mov   %eax, %es
 *   8e d0                   mov   %eax, %ss
 *   8e e0                   mov   %eax, %fs
 *   8e e8                   mov   %eax, %gs
 *   48 bc RSP               movabs $RSP, %rsp
 *   68 RFLAGS               pushq $RFLAGS                   ; only when RFLAGS != 0x2, and then
 *   9d                      popfq                           ; only with a stack (RSP != 0)
 *   48 be RSI               movabs $RSI, %rsi               ; zero page
 *   48 a1 SLOT              movabs SLOT, %rax               ; the entry, from ENTRY_SLOT
 *   ff e0                   jmp   *%rax                     ; kernel entry
 * gdtr (ROM 0xf0c0):
 *   LIMIT(16) BASE(32)                                      ; lgdt operand (Intel SDM 3A 3.5.1)
 * entered (ROM 0xf0c8): one byte, 0 until the first run
 * null idtr (ROM 0xf0d0): six zero bytes
 * </pre>
 *
 * <p>Re-entry guard: a 64-bit kernel that cannot reset any other way ends its reboot sequence
 * (ACPI reset register, i8042, EFI: none exist on microvm) in {@code machine_real_restart()},
 * which jumps back to the reset vector. Running the ROM again would re-enter the already-running
 * kernel; instead the second run triple-faults, which QEMU ({@code -no-reboot}) reports as a
 * guest reset. On machines whose BIOS memory is read-only the flag never sticks and the guard
 * is inert.
 */
public final class X86ResetRom {
    /** ROM size; QEMU requires a multiple of 64 KiB and maps the last 128 KiB below 1 MiB. */
    public static final int SIZE = 64 * 1024;
    /** Where the low alias of the ROM starts in guest-physical space (1 MiB - SIZE). */
    public static final long LOW_ALIAS_BASE = 0x10_0000 - SIZE;
    /** Offset of the reset vector: the CPU's first fetch is at 4 GiB - 16 (Intel SDM 3A 9.1.4). */
    public static final int RESET_VECTOR_OFFSET = 0xfff0;
    /** Offset of the 16-bit code the reset vector jumps to. */
    public static final int CODE_OFFSET = 0xf000;
    /** Offset of the first 64-bit instruction, the far jump's target. */
    public static final int LONG64_OFFSET = 0xf055;
    /** Offset of the 6-byte GDT pseudo-descriptor (limit, 32-bit base) {@code lgdtl} reads. */
    public static final int GDTR_OFFSET = 0xf0c0;
    /** Offset of the byte the ROM sets on its first run (QEMU's microvm BIOS memory is RAM). */
    public static final int ENTERED_OFFSET = 0xf0c8;
    /** Offset of a 6-byte all-zero IDT pseudo-descriptor (limit 0) for the deliberate triple fault. */
    public static final int NULL_IDTR_OFFSET = 0xf0d0;

    /**
     * Guest-physical address of the 8 bytes (little-endian) the ROM takes the kernel entry from:
     * the last 8 bytes of the GDT's page, which the platform layout leaves empty (the GDT is 32
     * bytes at {@link X86Layout#GDT_START}), inside the identity map, and read before the kernel
     * runs (the kernel may reuse the page afterwards).
     */
    public static final long ENTRY_SLOT = X86Layout.GDT_START + X86Layout.PAGE_SIZE - 8;

    /** Real-mode segment of the low alias: base = segment * 16 = {@link #LOW_ALIAS_BASE}. */
    private static final int LOW_ALIAS_SEGMENT = (int) (LOW_ALIAS_BASE >>> 4);
    /** IA32_EFER (Intel SDM Vol. 4, table 2-2). */
    private static final long MSR_EFER = 0xc000_0080L;
    private static final long EFER_LME = 1L << 8;
    private static final long EFER_LMA = 1L << 10;
    private static final long CR0_PE = 1L;
    private static final long CR0_PG = 1L << 31;
    private static final long CR4_PAE = 1L << 5;
    private static final long FOUR_GIB = 1L << 32;
    /** RFLAGS after reset (only the reserved bit 1, Intel SDM 3A 9.1.1) with IF and DF cleared. */
    private static final long RFLAGS_AFTER_CLI_CLD = 0x2;

    private X86ResetRom() {
    }

    /** The ROM that enters {@code state}; rejects states this real-mode path cannot reach. */
    public static byte[] build(X86BootState state) {
        check(state);
        byte[] rom = new byte[SIZE];

        LittleEndianCode code = new LittleEndianCode();
        code.bytes(0xfa);                                        // cli
        code.bytes(0xfc);                                        // cld
        code.bytes(0x8c, 0xc8);                                  // mov %cs, %ax
        code.bytes(0x8e, 0xd8);                                  // mov %ax, %ds
        code.bytes(0x80, 0x3e).u16(ENTERED_OFFSET).bytes(0x00);  // cmpb $0, ENTERED_OFFSET
        code.bytes(0x74, 0x06);                                  // je   +6 (first entry)
        code.bytes(0x0f, 0x01, 0x1e).u16(NULL_IDTR_OFFSET);      // lidtw NULL_IDTR_OFFSET: limit 0
        code.bytes(0xcc);                                        // int3: #GP, #DF, triple fault
        code.bytes(0xc6, 0x06).u16(ENTERED_OFFSET).bytes(0x01);  // movb $1, ENTERED_OFFSET
        code.bytes(0x66, 0x0f, 0x01, 0x16).u16(GDTR_OFFSET);     // lgdtl GDTR_OFFSET(%ds)
        code.bytes(0x66, 0xb8).u32(state.cr4());                 // mov $cr4, %eax
        code.bytes(0x0f, 0x22, 0xe0);                            // mov %eax, %cr4
        code.bytes(0x66, 0xb8).u32(state.cr3());                 // mov $cr3, %eax
        code.bytes(0x0f, 0x22, 0xd8);                            // mov %eax, %cr3
        code.bytes(0x66, 0xb9).u32(MSR_EFER);                    // mov $IA32_EFER, %ecx
        long efer = state.efer() & ~EFER_LMA;
        code.bytes(0x66, 0xb8).u32(efer & 0xffff_ffffL);         // mov $efer_lo, %eax
        code.bytes(0x66, 0xba).u32(efer >>> 32);                 // mov $efer_hi, %edx
        code.bytes(0x0f, 0x30);                                  // wrmsr
        code.bytes(0x66, 0xb8).u32(state.cr0());                 // mov $cr0, %eax
        code.bytes(0x0f, 0x22, 0xc0);                            // mov %eax, %cr0
        int farJump = code.position();
        int long64 = farJump + 8;
        if (long64 != LONG64_OFFSET - CODE_OFFSET) {
            throw new IllegalStateException("64-bit code at 0x" + Integer.toHexString(CODE_OFFSET + long64));
        }
        code.bytes(0x66, 0xea)                                   // ljmpl $cs, $long64
                .u32(LOW_ALIAS_BASE + CODE_OFFSET + long64).u16(state.codeSelector());
        code.bytes(0xb8).u32(state.dataSelector());              // mov $ds, %eax
        code.bytes(0x8e, 0xd8);                                  // mov %eax, %ds
        code.bytes(0x8e, 0xc0);                                  // mov %eax, %es
        code.bytes(0x8e, 0xd0);                                  // mov %eax, %ss
        code.bytes(0x8e, 0xe0);                                  // mov %eax, %fs
        code.bytes(0x8e, 0xe8);                                  // mov %eax, %gs
        code.bytes(0x48, 0xbc).u64(state.rsp());                 // movabs $rsp, %rsp
        if (state.rflags() != RFLAGS_AFTER_CLI_CLD) {
            code.bytes(0x68).u32(state.rflags());                // pushq $rflags
            code.bytes(0x9d);                                    // popfq
        }
        code.bytes(0x48, 0xbe).u64(state.rsi());                 // movabs $rsi, %rsi
        code.bytes(0x48, 0xa1).u64(ENTRY_SLOT);                  // movabs ENTRY_SLOT, %rax
        code.bytes(0xff, 0xe0);                                  // jmp *%rax
        byte[] text = code.toByteArray();
        if (CODE_OFFSET + text.length > GDTR_OFFSET) {
            throw new IllegalStateException("reset ROM code overruns the GDT pseudo-descriptor");
        }
        System.arraycopy(text, 0, rom, CODE_OFFSET, text.length);

        byte[] gdtr = new LittleEndianCode().u16(state.gdtLimit()).u32(state.gdtBase()).toByteArray();
        System.arraycopy(gdtr, 0, rom, GDTR_OFFSET, gdtr.length);

        byte[] reset = new LittleEndianCode()
                .bytes(0xea).u16(CODE_OFFSET).u16(LOW_ALIAS_SEGMENT) // ljmp $0xf000, $CODE_OFFSET
                .toByteArray();
        System.arraycopy(reset, 0, rom, RESET_VECTOR_OFFSET, reset.length);
        return rom;
    }

    /** Whether {@code a} and {@code b} give the same ROM: every value but the entry ({@code rip}) equal. */
    public static boolean sameRom(X86BootState a, X86BootState b) {
        return a.rsi() == b.rsi() && a.rsp() == b.rsp() && a.rflags() == b.rflags() && a.cr0() == b.cr0()
                && a.cr3() == b.cr3() && a.cr4() == b.cr4() && a.efer() == b.efer() && a.gdtBase() == b.gdtBase()
                && a.gdtLimit() == b.gdtLimit() && a.codeSelector() == b.codeSelector() && a.dataSelector() == b.dataSelector();
    }

    /** The bytes of {@link #ENTRY_SLOT} for {@code state}: its entry point, little-endian. */
    public static byte[] entrySlot(X86BootState state) {
        return new LittleEndianCode().u64(state.rip()).toByteArray();
    }

    private static void check(X86BootState s) {
        require((s.cr0() & (CR0_PE | CR0_PG)) == (CR0_PE | CR0_PG), s,
                "CR0 must have PE and PG set for the 64-bit entry");
        require((s.cr4() & CR4_PAE) != 0, s, "CR4 must have PAE set for long mode");
        require((s.efer() & EFER_LME) != 0, s, "EFER must have LME set for long mode");
        require(s.cr0() < FOUR_GIB && s.cr4() < FOUR_GIB, s, "CR0/CR4 must fit in 32 bits");
        require(s.cr3() < FOUR_GIB, s, "the PML4 (CR3) must be below 4 GiB: real mode loads CR3 from a 32-bit register");
        require(s.gdtBase() + s.gdtLimit() < FOUR_GIB, s, "the GDT must be below 4 GiB: lgdt in real mode takes a 32-bit base");
        require(s.gdtLimit() >= 0 && s.gdtLimit() <= 0xffff, s, "the GDT limit must fit in 16 bits");
        require(s.codeSelector() > 0 && s.codeSelector() <= s.gdtLimit() && (s.codeSelector() & 7) == 0, s,
                "the code selector must index a GDT entry (RPL 0)");
        require(s.dataSelector() > 0 && s.dataSelector() <= s.gdtLimit() && (s.dataSelector() & 7) == 0, s,
                "the data selector must index a GDT entry (RPL 0)");
        require(s.rflags() >= 0 && s.rflags() < 0x8000_0000L, s, "RFLAGS must fit in a sign-extended 32-bit push");
        require(s.rflags() == RFLAGS_AFTER_CLI_CLD || s.rsp() != 0, s,
                "RFLAGS other than 0x2 need a stack to popfq from: give RSP a value");
    }

    private static void require(boolean ok, X86BootState s, String what) {
        if (!ok) {
            throw new QemuException(Kind.INTERNAL, "cannot build the x86_64 reset ROM: " + what + " (boot state " + s + ")");
        }
    }
}
