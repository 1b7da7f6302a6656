package dev.linuxvm.engine.boot.x86;

import dev.linuxvm.engine.GuestImage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Prints how long the engine takes to prepare an x86_64 guest from a vmlinux (parse the ELF,
 * read and place its segments, build the zero page, e820, GDT and page tables), median of
 * several runs after warm-up. Not a test (surefire does not pick it up): it lives in the test
 * sources so that it stays out of the engine's jar. Run it by hand after
 * {@code ./mvnw -pl vmm-engine test-compile}:
 * {@code java -cp vmm-engine/target/classes:vmm-engine/target/test-classes dev.linuxvm.engine.boot.x86.PrepareBenchmark VMLINUX [INITRD] [RUNS]}
 * (the kernel defaults to $LINUXVM_KERNEL_X86_64).
 */
public final class PrepareBenchmark {
    private PrepareBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String kernelArg = args.length > 0 ? args[0] : System.getenv("LINUXVM_KERNEL_X86_64");
        if (kernelArg == null) {
            System.err.println("usage: PrepareBenchmark VMLINUX [INITRD] [RUNS] (or set LINUXVM_KERNEL_X86_64)");
            System.exit(2);
        }
        Path kernel = Path.of(kernelArg);
        byte[] initrd = args.length > 1 ? Files.readAllBytes(Path.of(args[1])) : null;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 9;
        int warmups = 3;

        long[] nanos = new long[runs];
        long cold = -1;
        GuestImage last = null;
        for (int i = -warmups; i < runs; i++) {
            long start = System.nanoTime();
            last = X86GuestBuilder.create()
                    .kernel(kernel)
                    .initrd(initrd)
                    .cmdline("console=ttyS0 earlyprintk=ttyS0 panic=-1")
                    .memory(512L << 20)
                    .build();
            long elapsed = System.nanoTime() - start;
            if (i == -warmups) {
                cold = elapsed;
            }
            if (i >= 0) {
                nanos[i] = elapsed;
            }
        }
        Arrays.sort(nanos);
        long placed = last.regions().stream().mapToLong(r -> r.data().length).sum();
        System.out.printf("prepared %s: %d regions, %.1f MB of initialised guest memory%n",
                kernel, last.regions().size(), placed / 1e6);
        System.out.printf("prepare time over %d runs: median %.1f ms, min %.1f ms, max %.1f ms%n",
                runs, nanos[runs / 2] / 1e6, nanos[0] / 1e6, nanos[runs - 1] / 1e6);
        System.out.printf("first (cold JVM) run: %.1f ms%n", cold / 1e6);
    }
}
