package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A KUnit-enabled kernel built from Debian's Linux source ({@link KunitKernels}): every suite of
 * {@link KunitConfig#SUITES} runs at boot and prints KTAP on the console, then the kernel goes on
 * to the initramfs' userspace.
 *
 * @param arch           the guest architecture
 * @param kernel         the uncompressed kernel our loaders take: the build's ELF {@code vmlinux}
 *                       (x86_64) or {@code arch/arm64/boot/Image}
 * @param initramfs      the provisioned busybox initramfs of {@code arch} ({@link TestKernels})
 * @param buildDir       the kernel build dir ({@code O=}); kunit.py can run it:
 *                       {@code kunit.py exec --arch=x86_64 --build_dir=<buildDir>}
 * @param sourceDir      the source tree it was built from
 * @param sourceVersion  the linux-source package version, e.g. "6.1.192-3"
 * @param configSha256   hex SHA-256 of the {@link KunitConfig} fragment (in {@code buildDir/.kunitconfig})
 * @param kernelSha256   hex SHA-256 of {@code kernel}
 * @param buildTime      how long the (cold) build took when it was made
 */
public record KunitKernel(Arch arch, Path kernel, Path initramfs, Path buildDir, Path sourceDir, String sourceVersion,
                          String configSha256, String kernelSha256, Duration buildTime) {

    /** {@code sourceDir/tools/testing/kunit}. */
    public Path kunitTool() {
        return sourceDir.resolve("tools/testing/kunit");
    }
}
