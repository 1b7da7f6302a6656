package dev.linuxvm.engine.boot.x86;

import dev.linuxvm.engine.X86BootState;

/**
 * Builds the BSP's {@link X86BootState} for the kernel's 64-bit entry
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol": long mode, paging on with the
 * loaded ranges identity mapped, a GDT with __BOOT_CS/__BOOT_DS, interrupts off, RSI = zero
 * page). Control-register bits: Intel SDM vol. 3A §2.5; EFER: §2.2.1.
 */
public final class LongModeEntry {
    private LongModeEntry() {
    }

    /** CR0.PE: protected mode. */
    public static final long CR0_PE = 1L << 0;
    /** CR0.ET: extension type, hardwired to 1 on every CPU since the 486. */
    public static final long CR0_ET = 1L << 4;
    /** CR0.PG: paging. */
    public static final long CR0_PG = 1L << 31;
    /** CR4.PAE: required for long mode. */
    public static final long CR4_PAE = 1L << 5;
    /** EFER.LME: long mode enable. */
    public static final long EFER_LME = 1L << 8;
    /** EFER.LMA: long mode active (set by the CPU when PG is turned on with LME; KVM wants it given). */
    public static final long EFER_LMA = 1L << 10;
    /** RFLAGS bit 1 is reserved and reads as 1; IF (bit 9) stays clear. */
    public static final long RFLAGS_RESERVED = 1L << 1;

    /** CR0 at entry: PE | ET | PG = 0x80000011. */
    public static final long CR0 = CR0_PE | CR0_ET | CR0_PG;
    /** CR4 at entry: PAE = 0x20. */
    public static final long CR4 = CR4_PAE;
    /** EFER at entry: LME | LMA = 0x500. */
    public static final long EFER = EFER_LME | EFER_LMA;

    /** The entry state for a kernel whose 64-bit entry point is {@code entry}. */
    public static X86BootState at(long entry) {
        return new X86BootState(
                entry,
                X86Layout.ZERO_PAGE_START,
                0, // the kernel loads its own stack before its first push
                RFLAGS_RESERVED,
                CR0,
                PageTables.PML4_START,
                CR4,
                EFER,
                X86Layout.GDT_START,
                Gdt.LIMIT,
                Gdt.BOOT_CS,
                Gdt.BOOT_DS);
    }
}
