package dev.linuxvm.engine;

import java.util.function.Function;


/**
 * The boot CPU's state at the Image entry (Documentation/arch/arm64/booting.rst): MMU off,
 * EL1h (or EL2), DAIF masked, x0 = physical address of the DTB, x1..x3 = 0, PC = Image load
 * address.
 *
 * @param pc   where the Image was loaded (2 MiB-aligned base + text_offset)
 * @param x0   guest physical address of the device tree blob
 */
public record Arm64BootState(long pc, long x0) implements BootCpuState {
    @Override
    public <R> R match(Function<? super X86BootState, ? extends R> x86, Function<? super Arm64BootState, ? extends R> arm64) {
        return arm64.apply(this);
    }

    @Override
    public long entryPoint() {
        return pc;
    }
}
