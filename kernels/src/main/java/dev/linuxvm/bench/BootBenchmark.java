package dev.linuxvm.bench;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.Snapshot;
import dev.linuxvm.engine.backend.qemu.QemuBackend;
import dev.linuxvm.engine.kvm.KvmBackend;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.launch.DefaultCmdline;
import dev.linuxvm.engine.launch.GuestFactory;
import dev.linuxvm.engine.launch.GuestSpec;
import dev.linuxvm.kernels.GuestInitramfs;
import dev.linuxvm.kernels.TestKernel;
import dev.linuxvm.kernels.TestKernels;

import java.io.IOException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Prints, side by side in one run, the figures issue #9 asks for (a benchmark, not a test: it
 * prints, it does not judge):
 * <ol>
 *   <li>cold boot, whole process, {@code linuxvm --backend qemu --exec true} (the launcher script
 *       beside the jar, as a user runs the CLI: the JVM with the build's class-data-sharing archive)
 *       against QEMU's own {@code -kernel} with the same kernel, initramfs + exec overlay and
 *       command line, for x86_64, aarch64 ACPI and aarch64 device tree (median, ratio). QEMU's
 *       side is {@code -M microvm} on x86_64 (its fastest direct boot) and {@code -M virt} on
 *       aarch64; x86_64 also gets a row against QEMU's default machine (pc, SeaBIOS), which is
 *       what {@code qemu-system-x86_64 -kernel} without {@code -M} boots; and every
 *       configuration a row against QEMU's {@code -kernel} with its RAM on tmpfs, as ours, which
 *       on x86_64 leaves what our process adds around the same machine;</li>
 *   <li>a fresh guest from a snapshot against a cold boot, in process, per executor that can
 *       run here (start or restore call to the first {@code echo} its shell answers; median,
 *       ratio).</li>
 * </ol>
 *
 * <p>And with {@code --suite}: the sample-tests suite's wall time with and without snapshots.
 *
 * <p>Usage, from the repository's root, after {@code ./mvnw -B -pl vmm-engine,kernels package
 * -DskipTests}: {@code java -cp kernels/target/linuxvm.jar dev.linuxvm.bench.BootBenchmark [--runs
 * N] [--fresh N] [--config C ...] [--suite]}. Defaults: 7 runs per side for the cold boots, 20
 * for the fresh guests (the medians); 0 leaves a part out; {@code --config
 * x86_64|aarch64-acpi|aarch64-dt} (repeatable) limits the cold boots to those.
 */
public final class BootBenchmark {
    private static final Duration BOOT = Duration.ofSeconds(120);
    private static final Duration STEP = Duration.ofSeconds(30);

    private final Path launcher;
    private final TestKernels kernels;

    private BootBenchmark(Path launcher, TestKernels kernels) {
        this.launcher = launcher;
        this.kernels = kernels;
    }

    public static void main(String[] args) throws Exception {
        int runs = 7;
        int fresh = 20;
        boolean suite = false;
        List<Config> configs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--fresh" -> fresh = Integer.parseInt(args[++i]);
                case "--suite" -> suite = true;
                case "--config" -> {
                    try {
                        configs.add(Config.parse(args[++i]));
                    } catch (IllegalArgumentException e) {
                        System.err.println("bench: " + e.getMessage());
                        System.exit(2);
                    }
                }
                default -> {
                    System.err.println("usage: BootBenchmark [--runs N] [--fresh N] [--config x86_64|aarch64-acpi|aarch64-dt ...]"
                            + " [--suite] (N = 0: leave that part out)");
                    System.exit(2);
                }
            }
        }
        if (configs.isEmpty()) {
            configs = Config.ALL;
        }
        Path jar = Path.of(BootBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (!Files.isRegularFile(jar)) {
            System.err.println("bench: run me from the CLI jar (java -cp kernels/target/linuxvm.jar " + BootBenchmark.class.getName()
                    + "), not from " + jar + ": the cold boots time the launcher beside that jar");
            System.exit(2);
        }
        Path launcher = jar.resolveSibling("linuxvm");
        if (runs > 0 && !Files.isExecutable(launcher)) {
            System.err.println("bench: no executable launcher script " + launcher + " beside the jar: the cold boots time it;"
                    + " build it with ./mvnw -B -pl vmm-engine,kernels package -DskipTests");
            System.exit(2);
        }
        BootBenchmark b = new BootBenchmark(launcher, TestKernels.fromEnvironment(line -> System.out.println("bench: " + line)));
        System.out.printf("bench: %s, %d CPUs, java %s%n", Arch.host(), Runtime.getRuntime().availableProcessors(), Runtime.version());
        if (runs > 0) {
            b.coldBoots(runs, configs);
        }
        if (fresh > 0) {
            b.freshGuests(fresh);
        }
        if (suite) {
            sampleSuite();
        }
    }

    // ---- the sample-tests suite with and without snapshots ------------------------------------

    /**
     * Runs the sample-tests suite (from the repository root this JVM was started in) with
     * snapshots and with {@code -Dlinuxvm.snapshots=false}, each after an unmeasured run that
     * brings the build up to date, and prints both wall times.
     */
    private static void sampleSuite() throws Exception {
        Path mvnw = Path.of("mvnw").toAbsolutePath();
        if (!Files.isExecutable(mvnw)) {
            throw new IllegalStateException("--suite runs ./mvnw: start the benchmark in the repository's root, not " + mvnw.getParent());
        }
        List<String> base = List.of(mvnw.toString(), "-q", "-B", "-o", "-pl", "sample-tests", "-am", "test",
                "-Dlinuxvm.provision.skip=true", "-Dtest=dev.linuxvm.samples.*Test", "-Dsurefire.failIfNoSpecifiedTests=false");
        System.out.println("bench: sample-tests suite, whole Maven run (" + String.join(" ", base.subList(1, base.size())) + ")");
        runMaven(List.of(mvnw.toString(), "-q", "-B", "-o", "-pl", "sample-tests", "-am", "test-compile",
                "-Dlinuxvm.provision.skip=true")); // up to date before either timed run
        long with = runMaven(base);
        List<String> cold = new ArrayList<>(base);
        cold.add("-Dlinuxvm.snapshots=false");
        long without = runMaven(cold);
        System.out.printf(Locale.ROOT, "bench: sample-tests with snapshots %d s, cold (-Dlinuxvm.snapshots=false) %d s, ratio %.2f%n",
                with / 1000, without / 1000, (double) with / without);
    }

    private static long runMaven(List<String> cmd) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed with " + p.exitValue());
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    // ---- cold boot vs QEMU's own -kernel ------------------------------------------------------

    private void coldBoots(int runs, List<Config> configs) throws Exception {
        System.out.println("bench: cold boot, whole process, start to exit, median of " + runs
                + " (our CLI, run by its launcher " + launcher + ", on the QEMU executor vs QEMU's own -kernel;"
                + " each run starts with the next side in turn; the interval is a bootstrap of the runs, see RatioInterval)");
        for (Config c : configs) {
            TestKernel k = kernels.get(c.arch);
            String ourCmdline = DefaultCmdline.forArch(c.arch, true);
            // QEMU's microvm describes itself with hardware-reduced ACPI: no PIT clockevent, so
            // with noapictimer its guest has no timer at all and hangs; it gets the rest.
            String cmdline = ourCmdline.replace(" noapictimer", "");
            Path initrd = Files.createTempFile("bench-initrd", ".cpio");
            try {
                Files.write(initrd, GuestInitramfs.withOverlay(Files.readAllBytes(k.initramfs()), GuestInitramfs.execOverlay("true")));
                List<String> ours = new ArrayList<>(List.of(launcher.toString(), "--backend", "qemu",
                        "--arch", c.arch.unameMachine(), "--exec", "true"));
                if (c.mode == BootMode.DEVICE_TREE) {
                    ours.add("--device-tree");
                }
                List<String> theirs = qemuKernel(c.arch, k.kernel(), initrd, cmdline);
                List<List<String>> sides = new ArrayList<>(List.of(ours, theirs));
                int sameSide = -1;
                if (!cmdline.equals(ourCmdline)) {
                    List<String> same = new ArrayList<>(ours);
                    same.addAll(List.of("--cmdline", cmdline));
                    sameSide = sides.size();
                    sides.add(same); // ours with exactly QEMU's command line too
                }
                // x86_64: also QEMU's default machine (pc), what `qemu-system-x86_64 -kernel`
                // without -M boots: SeaBIOS, then the kernel through its PVH note
                int pcSide = -1;
                if (c.arch == Arch.X86_64) {
                    pcSide = sides.size();
                    sides.add(qemuKernelDefaultMachine(k.kernel(), initrd, cmdline));
                }
                // QEMU's own -kernel again with its RAM where ours is, on tmpfs pages (a file QEMU
                // makes in /dev/shm and unlinks at once, freed by its own exit): on x86_64, where
                // both machines are microvm, what is left is what our process adds; on aarch64
                // also the difference between virt's devices and our platform's
                int tmpfsSide = -1;
                if (Files.isDirectory(TMPFS)) {
                    tmpfsSide = sides.size();
                    sides.add(qemuKernelTmpfsRam(c.arch, k.kernel(), initrd, cmdline));
                }
                for (List<String> side : sides) {
                    timeProcess(side); // warm the page cache once, each side
                }
                List<List<Long>> times = new ArrayList<>();
                List<List<BootPhases>> phases = new ArrayList<>();
                sides.forEach(side -> {
                    times.add(new ArrayList<>());
                    phases.add(new ArrayList<>());
                });
                // Each run starts with the next side in turn: a run is slower after a run of the
                // other kind (measured: QEMU's own -kernel 1698 ms after ours, 1617 ms after
                // itself; ours 1780 after QEMU's, 1735 after ours), so a fixed order would favour
                // whichever side always comes after its own kind.
                for (int i = 0; i < runs; i++) {
                    for (int j = 0; j < sides.size(); j++) {
                        int s = (i + j) % sides.size();
                        BootPhases run = timeProcess(sides.get(s));
                        times.get(s).add(run.totalMs());
                        phases.get(s).add(run);
                    }
                }
                List<Long> o = times.get(0);
                List<Long> q = times.get(1);
                System.out.printf(Locale.ROOT, "bench: %-16s ours %5d ms  qemu -kernel %5d ms  ratio %s   (ours %s, qemu %s)%n",
                        c, median(o), median(q), RatioInterval.of(o, q), o, q);
                System.out.printf(Locale.ROOT, "bench:   phases, median ms, ours | qemu -kernel: %s%n",
                        BootPhases.compare(phases.get(0), phases.get(1)));
                if (sameSide >= 0) {
                    List<Long> same = times.get(sameSide);
                    System.out.printf(Locale.ROOT, "bench: %-16s ours with QEMU's command line (no noapictimer) %5d ms  ratio %.2f   (%s)%n",
                            c, median(same), (double) median(same) / median(q), same);
                }
                if (pcSide >= 0) {
                    printAgainst(c, "on its default machine (pc)", "(pc)", times, phases, pcSide);
                }
                if (tmpfsSide >= 0) {
                    printAgainst(c, "with its RAM on tmpfs, as ours", "with its RAM on tmpfs", times, phases, tmpfsSide);
                }
                System.out.println("bench:   our default command line: " + ourCmdline + "; QEMU's: " + cmdline);
            } finally {
                Files.deleteIfExists(initrd);
            }
        }
        System.out.println("bench: qemu -kernel x86_64: " + String.join(" ", qemuKernel(Arch.X86_64, Path.of("K"), Path.of("I"), "…")));
        System.out.println("bench: qemu -kernel x86_64, default machine: "
                + String.join(" ", qemuKernelDefaultMachine(Path.of("K"), Path.of("I"), "…")));
        System.out.println("bench: qemu -kernel aarch64: " + String.join(" ", qemuKernel(Arch.AARCH64, Path.of("K"), Path.of("I"), "…")));
        System.out.println("bench: qemu -kernel, RAM on tmpfs: the same with "
                + String.join(" ", qemuKernelTmpfsRam(Arch.X86_64, Path.of("K"), Path.of("I"), "…").subList(1, 5)));
    }

    /** Ours (side 0) against another QEMU side: medians, the ratio with its interval, the runs, the phases. */
    private static void printAgainst(Config c, String what, String phasesLabel, List<List<Long>> times,
                                     List<List<BootPhases>> phases, int side) {
        List<Long> o = times.get(0);
        List<Long> theirs = times.get(side);
        System.out.printf(Locale.ROOT, "bench: %-16s ours %5d ms  qemu -kernel %s %5d ms  ratio %s   (%s)%n",
                c, median(o), what, median(theirs), RatioInterval.of(o, theirs), theirs);
        System.out.printf(Locale.ROOT, "bench:   phases, median ms, ours | qemu -kernel %s: %s%n",
                phasesLabel, BootPhases.compare(phases.get(0), phases.get(side)));
    }

    /** Where {@link #qemuKernelTmpfsRam} puts QEMU's RAM: the tmpfs the QEMU executor's RAM file goes to by default. */
    private static final Path TMPFS = Path.of("/dev/shm");

    /**
     * {@link #qemuKernel} with its RAM as a file on tmpfs, mapped shared, as the QEMU executor
     * maps the guest's: {@code mem-path} a directory makes QEMU create a file there and unlink
     * it at once, so its exit frees the pages. Anonymous RAM gets transparent huge pages, each
     * first touch zeroing 2 MiB, and frees fast; tmpfs pages are 4 KiB unless root changed
     * {@code shmem_enabled} from the kernel's default, {@code never}. Against {@link #qemuKernel}
     * this side shows what the RAM's backing does to QEMU's own run.
     */
    private static List<String> qemuKernelTmpfsRam(Arch arch, Path kernel, Path initrd, String cmdline) {
        List<String> cmd = qemuKernel(arch, kernel, initrd, cmdline);
        int machine = cmd.indexOf("-M") + 1;
        cmd.set(machine, cmd.get(machine) + ",memory-backend=ram0");
        String mib = cmd.get(cmd.indexOf("-m") + 1);
        cmd.addAll(1, List.of("-object", "memory-backend-file,id=ram0,size=" + mib + "M,mem-path=" + TMPFS + ",share=on"));
        return cmd;
    }

    /** QEMU's own direct boot with its own firmware tables: the peer the issue compares against. */
    private static List<String> qemuKernel(Arch arch, Path kernel, Path initrd, String cmdline) {
        List<String> cmd = new ArrayList<>();
        if (arch == Arch.X86_64) {
            cmd.addAll(List.of("qemu-system-x86_64", "-M", "microvm", "-accel", "tcg"));
        } else {
            // virt with -kernel and no firmware boots with QEMU's device tree (no ACPI without UEFI).
            cmd.addAll(List.of("qemu-system-aarch64", "-M", "virt,gic-version=3", "-accel", "tcg", "-cpu", "cortex-a57"));
        }
        cmd.addAll(List.of("-m", "512", "-smp", "1", "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio",
                "-no-reboot", "-kernel", kernel.toString(), "-initrd", initrd.toString(), "-append", cmdline));
        return cmd;
    }

    /** {@code qemu-system-x86_64 -kernel} without {@code -M}: the default machine, pc (i440FX, SeaBIOS). */
    private static List<String> qemuKernelDefaultMachine(Path kernel, Path initrd, String cmdline) {
        return List.of("qemu-system-x86_64", "-accel", "tcg", "-m", "512", "-smp", "1", "-nodefaults", "-no-user-config",
                "-display", "none", "-serial", "stdio", "-no-reboot", "-kernel", kernel.toString(), "-initrd", initrd.toString(),
                "-append", cmdline);
    }

    /**
     * Spawn to exit, with the console's lines timed as they arrive (a pipe read on a thread of
     * its own, so that {@link BootPhases} can say where the time went); fails unless the guest
     * ran the exec overlay and exited 0 within {@link #BOOT}.
     */
    private static BootPhases timeProcess(List<String> cmd) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<BootPhases.Line> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.ISO_8859_1))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(new BootPhases.Line(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), line));
                }
            } catch (IOException e) {
                // the process is gone; what was read is kept
            }
        }, "bench-console");
        reader.setDaemon(true);
        reader.start();
        if (!p.waitFor(BOOT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            reader.join(TimeUnit.SECONDS.toMillis(5));
            throw new IllegalStateException(String.join(" ", cmd) + " did not exit within " + BOOT + "; last lines:" + tail(lines));
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        reader.join(TimeUnit.SECONDS.toMillis(5));
        if (p.exitValue() != 0 || lines.stream().noneMatch(l -> l.text().contains("linuxvm: exit 0"))) {
            throw new IllegalStateException(String.join(" ", cmd) + " ended with " + p.exitValue()
                    + " without 'linuxvm: exit 0'; last lines:" + tail(lines));
        }
        return BootPhases.of(ms, List.copyOf(lines));
    }

    private static String tail(List<BootPhases.Line> lines) {
        List<BootPhases.Line> copy = List.copyOf(lines);
        return tail(String.join("\n", copy.stream().map(BootPhases.Line::text).toList()));
    }

    private static String tail(String text) {
        return text.lines().skip(Math.max(0, text.lines().count() - 8)).reduce("", (a, b) -> a + "\n  " + b);
    }

    // ---- fresh guest from a snapshot vs cold boot --------------------------------------------

    private void freshGuests(int n) throws Exception {
        System.out.println("bench: fresh guest, in process, start or restore call to the first echo its shell answers, median of " + n);
        for (Backend backend : List.of(new QemuBackend(), new KvmBackend())) {
            for (Arch arch : List.of(Arch.X86_64, Arch.AARCH64)) {
                Backend.Availability a = backend.availability(arch);
                if (!a.available()) {
                    System.out.printf("bench: %-5s %-8s not measured here: %s%s%n", backend.name(), arch, a.reason(),
                            backend instanceof KvmBackend ? " (the KVM lab's snapshot scenario measures it on real KVM)" : "");
                    continue;
                }
                TestKernel k = kernels.get(arch);
                GuestImage image = GuestFactory.build(new GuestSpec(arch, BootMode.ACPI, k.kernel(),
                        Files.readAllBytes(k.initramfs()), DefaultCmdline.forArch(arch, backend instanceof QemuBackend), 512, 1));
                List<Long> cold = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    Capture c = new Capture();
                    long t0 = System.nanoTime();
                    try (RunningVm vm = backend.start(image, c)) {
                        c.await(vm, GuestInitramfs.PROMPT, 0, BOOT);
                        answer(vm, c);
                        cold.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                    }
                }
                List<Long> restored = new ArrayList<>();
                Capture tc = new Capture();
                try (RunningVm template = backend.startForSnapshot(image, tc)) {
                    tc.await(template, GuestInitramfs.PROMPT, 0, BOOT);
                    answer(template, tc);
                    try (Snapshot snapshot = template.snapshot()) {
                        for (int i = 0; i < n; i++) {
                            Capture c = new Capture();
                            long t0 = System.nanoTime();
                            try (RunningVm vm = backend.restore(snapshot, c)) {
                                answer(vm, c);
                                restored.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                            }
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "bench: %-5s %-8s cold boot %5d ms  from snapshot %4d ms  ratio %.1f×   (cold %s, restored %s)%n",
                        backend.name(), arch, median(cold), median(restored), (double) median(cold) / median(restored), cold, restored);
            }
        }
    }

    /** Types an echo whose answer the shell computes (so the echoed input cannot match) and waits for it. */
    private static void answer(RunningVm vm, Capture c) throws Exception {
        int from = c.length();
        vm.consoleInput().write("echo bench-$((20+22))\n".getBytes(StandardCharsets.UTF_8));
        vm.consoleInput().flush();
        c.await(vm, "bench-42", from, STEP);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private record Config(Arch arch, BootMode mode) {
        static final List<Config> ALL = List.of(new Config(Arch.X86_64, BootMode.ACPI), new Config(Arch.AARCH64, BootMode.ACPI),
                new Config(Arch.AARCH64, BootMode.DEVICE_TREE));

        /** "x86_64", "aarch64-acpi" or "aarch64-dt" (toString with a dash). */
        static Config parse(String name) {
            return ALL.stream().filter(c -> c.toString().replace(' ', '-').equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--config " + name + ": use x86_64, aarch64-acpi or aarch64-dt"));
        }

        @Override
        public String toString() {
            return arch.unameMachine() + (arch == Arch.AARCH64 ? (mode == BootMode.ACPI ? " acpi" : " dt") : "");
        }
    }

    /** The console's text, for waiting on. */
    private static final class Capture implements ConsoleListener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public synchronized void onOutput(byte[] buffer, int offset, int length) {
            text.append(new String(buffer, offset, length, StandardCharsets.ISO_8859_1));
            notifyAll();
        }

        synchronized int length() {
            return text.length();
        }

        synchronized void await(RunningVm vm, String marker, int from, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (text.indexOf(marker, from) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || vm.exit().isPresent()) {
                    throw new IllegalStateException("no '" + marker + "' (exit " + vm.exit() + "); last output:\n"
                            + text.substring(Math.max(0, text.length() - 800)));
                }
                wait(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 50));
            }
        }
    }
}
