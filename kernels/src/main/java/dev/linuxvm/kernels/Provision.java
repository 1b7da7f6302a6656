package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.VmmException;
import java.util.List;

/**
 * Provisions both architectures' test guests into the cache and prints where they are.
 *
 * <p>Usage: {@code Provision [--refresh] [x86_64|aarch64 ...]}. {@code --refresh} updates the
 * apt lists and fetches the newest kernel even when a complete guest is cached. Exit status 0 on
 * success, 1 with a one-line message on failure.
 */
public final class Provision {
    private Provision() {
    }

    public static void main(String[] args) {
        boolean refresh = false;
        List<Arch> arches = new java.util.ArrayList<>();
        for (String a : args) {
            if (a.equals("--refresh")) {
                refresh = true;
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
            }
        } catch (VmmException e) {
            System.out.flush();
            System.err.println("linuxvm: provisioning failed: " + e.getMessage());
            System.exit(1);
        }
        System.out.printf("linuxvm: provisioning done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
