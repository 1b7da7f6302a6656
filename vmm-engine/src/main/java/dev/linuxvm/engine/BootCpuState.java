package dev.linuxvm.engine;

/**
 * The register state the boot CPU starts the guest with. Each architecture's boot package
 * provides the implementation (x86_64: long-mode registers with RIP at the kernel entry and
 * RSI at the zero page; aarch64: PC at the Image, x0 at the DTB).
 */
public interface BootCpuState {
    /** Guest physical address of the first instruction. */
    long entryPoint();
}
