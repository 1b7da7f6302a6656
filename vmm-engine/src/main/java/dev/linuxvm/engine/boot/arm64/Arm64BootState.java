package dev.linuxvm.engine.boot.arm64;

import dev.linuxvm.engine.BootCpuState;

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
    public long entryPoint() {
        return pc;
    }
}
