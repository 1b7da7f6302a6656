package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

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

    /**
     * The names of the KUnit suites this kernel runs at boot, as KTAP prints them: those of
     * {@link KunitConfig#SUITES} whose option the build's {@code .config} sets to {@code y}.
     */
    public List<String> suites() {
        Path config = buildDir.resolve(".config");
        String text;
        try {
            text = Files.readString(config);
        } catch (IOException e) {
            throw new ProvisioningException("cannot read the KUnit kernel's config " + config + ": " + GuestCache.describe(e), e);
        }
        Set<String> enabled = text.lines().filter(l -> l.endsWith("=y")).map(l -> l.substring(0, l.length() - 2))
            .collect(Collectors.toSet());
        return KunitConfig.SUITES.entrySet().stream().filter(e -> enabled.contains(e.getKey()))
            .flatMap(e -> e.getValue().stream()).toList();
    }

    /** {@code sourceDir/tools/testing/kunit}. */
    public Path kunitTool() {
        return sourceDir.resolve("tools/testing/kunit");
    }
}
