package dev.linuxvm.engine;

import java.util.function.Function;


/**
 * The BSP's state at the kernel's 64-bit entry (Documentation/arch/x86/boot.rst, "64-bit Boot
 * Protocol"): long mode with paging on, CS = __BOOT_CS, DS/ES/SS = __BOOT_DS, RSI = zero page.
 *
 * @param rip       kernel entry (ELF e_entry, a physical address)
 * @param rsi       guest physical address of boot_params (the zero page)
 * @param rsp       initial stack pointer (0 is fine: the kernel sets its own stack first)
 * @param rflags    RFLAGS; bit 1 is reserved and must be 1
 * @param cr0       PE | PG (and ET)
 * @param cr3       PML4 of the identity page tables
 * @param cr4       PAE
 * @param efer      LME | LMA
 * @param gdtBase   guest physical address of the GDT
 * @param gdtLimit  GDT size in bytes minus one
 * @param codeSelector  CS (__BOOT_CS = 0x10)
 * @param dataSelector  DS, ES, SS, FS, GS (__BOOT_DS = 0x18)
 */
public record X86BootState(long rip, long rsi, long rsp, long rflags, long cr0, long cr3, long cr4, long efer,
                           long gdtBase, int gdtLimit, int codeSelector, int dataSelector) implements BootCpuState {
    @Override
    public <R> R match(Function<? super X86BootState, ? extends R> x86, Function<? super Arm64BootState, ? extends R> arm64) {
        return x86.apply(this);
    }

    @Override
    public long entryPoint() {
        return rip;
    }
}
