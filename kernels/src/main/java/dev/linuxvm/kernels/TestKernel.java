package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import java.nio.file.Path;

/**
 * A bootable test guest for one architecture: an uncompressed kernel (ELF {@code vmlinux} on
 * x86_64, raw {@code Image} on aarch64) and a gzip initramfs following the
 * {@link GuestInitramfs} contract.
 *
 * @param arch                 the guest architecture
 * @param kernel               the kernel file
 * @param initramfs            the initramfs file (gzip cpio newc)
 * @param kernelRelease        {@code uname -r} of the kernel, e.g. "6.1.0-56-cloud-arm64", or
 *                             "custom" when the kernel came from an override
 * @param kernelPackageVersion the Debian package version, e.g. "6.1.192-2", or "custom"
 * @param busyboxVersion       the busybox-static package version, or "custom"
 * @param kernelSha256         hex SHA-256 of {@code kernel}
 * @param initramfsSha256      hex SHA-256 of {@code initramfs}
 */
public record TestKernel(Arch arch, Path kernel, Path initramfs, String kernelRelease,
                         String kernelPackageVersion, String busyboxVersion,
                         String kernelSha256, String initramfsSha256) {

    /** Version string used for files that came from an override variable. */
    public static final String CUSTOM = "custom";

    @Override
    public String toString() {
        return arch + " kernel " + kernelRelease + " (" + kernelPackageVersion + ") " + kernel
            + ", initramfs " + initramfs;
    }
}
