package dev.linuxvm.junit;

/**
 * The {@code provisioned} attribute of {@link LinuxVm}: which kernel the extension provisions into
 * the cache ({@code ~/.cache/linuxvm}) and boots when {@link LinuxVm#kernel()} names no file. Both
 * boot the provisioned busybox initramfs unless {@link LinuxVm#initrd()} names another.
 */
public enum ProvisionedKernel {
    /** Debian's cloud kernel: the default test guest. */
    DEBIAN,
    /**
     * A KUnit kernel built from Debian's Linux source ({@code dev.linuxvm.kernels.KunitKernels}):
     * its built-in KUnit suites run while it boots and print KTAP on the console, read back with
     * {@link SerialConsole#bootKtap()}; then it reaches the initramfs' shell like the default guest.
     * The build runs once per arch and config (minutes; the {@code kernels} module's build does it
     * when the cache is cold) and needs make, gcc, flex, bison, bc, perl, libc6-dev, libelf-dev
     * (x86_64) and the other arch's cross compiler: a missing one fails the test naming its package
     * (or skips it, with {@link LinuxVm#skipWhenUnavailable()}).
     */
    KUNIT
}
