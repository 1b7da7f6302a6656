package dev.linuxvm.engine;

import java.util.function.Function;

/**
 * The register state the boot CPU starts the guest with: {@link X86BootState} (long-mode
 * registers with RIP at the kernel entry and RSI at the zero page) or {@link Arm64BootState} (PC
 * at the Image, x0 at the DTB), and nothing else. A backend does not downcast: it calls
 * {@link #match} with one branch per architecture, and a new architecture is a compile error in
 * every backend until it handles it. (Both records live beside this interface because a sealed
 * type's subclasses must share its package outside a named module.)
 */
public sealed interface BootCpuState permits X86BootState, Arm64BootState {
    /** Guest physical address of the first instruction. */
    long entryPoint();

    /**
     * The exhaustive switch over the architectures (Java 17 has no pattern {@code switch}):
     * applies the branch for this state's architecture and returns its result.
     */
    <R> R match(Function<? super X86BootState, ? extends R> x86, Function<? super Arm64BootState, ? extends R> arm64);
}
