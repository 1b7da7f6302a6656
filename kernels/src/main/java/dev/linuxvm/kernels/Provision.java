package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.VmmException;
import java.util.List;

/**
 * Provisions both architectures' test guests into the cache and prints where they are.
 *
 * <p>Usage: {@code Provision [--refresh] [--lab] [--kunit[=true|false]] [x86_64|aarch64 ...]}. {@code --refresh}
 * updates the apt lists and fetches the newest kernel even when a complete guest is cached.
 * {@code --lab} also provisions the KVM lab's level-1 assets ({@link KvmLabImage}; rebuilt with
 * {@code --refresh}). {@code --kunit} also provisions Debian's Linux source ({@link KernelSource})
 * and builds the KUnit kernel ({@link KunitKernels}; with {@code --refresh} the source is fetched
 * again and the kernel rebuilt); where a build tool is missing it says which package to install
 * and goes on without that kernel (the tests that boot it fail with the same line; the kernels
 * module's own build test skips). Exit status 0 on success, 1 with a one-line message on failure.
 */
public final class Provision {
    private Provision() {
    }

    public static void main(String[] args) {
        boolean refresh = false;
        boolean lab = false;
        boolean kunit = false;
        List<Arch> arches = new java.util.ArrayList<>();
        for (String a : args) {
            if (a.equals("--refresh")) {
                refresh = true;
            } else if (a.equals("--lab")) {
                lab = true;
            } else if (a.equals("--kunit") || a.equals("--kunit=true")) {
                kunit = true;
            } else if (a.equals("--kunit=false")) {
                kunit = false;
            } else {
                arches.add(Arch.parse(a));
            }
        }
        if (arches.isEmpty()) {
            arches = List.of(Arch.values());
        }
        TestKernels kernels = TestKernels.fromEnvironment(line -> System.out.println("linuxvm: " + line));
        System.out.println("linuxvm: guest cache " + kernels.cacheRoot());
        long t0 = System.nanoTime();
        try {
            for (Arch arch : arches) {
                long t = System.nanoTime();
                TestKernel k = kernels.provision(arch, refresh);
                System.out.printf("linuxvm: %s ready in %.1f s: kernel %s (%s)%n", arch, (System.nanoTime() - t) / 1e9,
                    k.kernelRelease(), k.kernelPackageVersion());
                System.out.println("linuxvm:   kernel    " + k.kernel() + "  sha256 " + k.kernelSha256());
                System.out.println("linuxvm:   initramfs " + k.initramfs() + "  sha256 " + k.initramfsSha256());
                if (lab) {
                    t = System.nanoTime();
                    KvmLabImage.Assets l = KvmLabImage.provision(arch, refresh, line -> System.out.println("linuxvm: " + line));
                    System.out.printf("linuxvm: %s KVM lab ready in %.1f s: %s%n", arch, (System.nanoTime() - t) / 1e9, l.key());
                    System.out.println("linuxvm:   level-1 kernel " + l.level1Kernel());
                    System.out.printf("linuxvm:   base archive   %s (%.1f MiB)%n", l.baseArchive(),
                        l.baseArchive().toFile().length() / 1048576.0);
                    System.out.println("linuxvm:   inside: java " + l.javaPath() + ", modules " + l.modules() + ", guest "
                        + l.level2Kernel() + " " + l.level2Initramfs()
                        + (l.qemuPath() == null ? "" : ", bzImage " + l.level2BzImage() + ", qemu " + l.qemuPath()));
                }
                if (kunit) {
                    kunit(arch, refresh);
                }
            }
        } catch (VmmException e) {
            System.out.flush();
            System.err.println("linuxvm: provisioning failed: " + e.getMessage());
            System.exit(1);
        }
        System.out.printf("linuxvm: provisioning done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private static boolean sourceRefreshed;

    private static void kunit(Arch arch, boolean refresh) {
        java.util.function.Consumer<String> out = line -> System.out.println("linuxvm: " + line);
        Arch host = Arch.host() == null ? Arch.X86_64 : Arch.host();
        List<HostTool> missing = KunitKernels.tools(arch, host).stream().filter(t -> !t.presentOn(System.getenv("PATH"))).toList();
        if (!missing.isEmpty()) {
            System.out.println("linuxvm: not building the KUnit " + arch + " kernel: "
                + String.join(", ", missing.stream().map(HostTool::name).toList()) + " not found: apt-get install "
                + String.join(" ", new java.util.LinkedHashSet<>(missing.stream().map(HostTool::debianPackage).toList()))
                + " (or -Dlinuxvm.provision.kunit=false)");
            return;
        }
        long t = System.nanoTime();
        if (refresh && !sourceRefreshed) {
            KernelSource.fromEnvironment(out).provision(true);
            sourceRefreshed = true;
        }
        KunitKernel k = KunitKernels.fromEnvironment(out).build(arch, refresh);
        System.out.printf("linuxvm: %s KUnit kernel ready in %.1f s (built in %.1f s): %s %s%n", arch,
            (System.nanoTime() - t) / 1e9, k.buildTime().toMillis() / 1000.0, KernelSource.PACKAGE, k.sourceVersion());
        System.out.println("linuxvm:   kernel    " + k.kernel() + "  sha256 " + k.kernelSha256());
        System.out.println("linuxvm:   initramfs " + k.initramfs());
        System.out.println("linuxvm:   kunit.py  " + k.kunitTool().resolve("kunit.py") + " exec --arch="
            + KunitTarget.of(arch).linuxArch() + " --build_dir=" + k.buildDir());
    }
}
