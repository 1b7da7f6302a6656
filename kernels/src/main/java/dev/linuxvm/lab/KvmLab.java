package dev.linuxvm.lab;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.backend.qemu.QemuHost;
import dev.linuxvm.engine.initramfs.CpioWriter;
import dev.linuxvm.kernels.KvmLabImage;
import dev.linuxvm.kernels.TestKernels;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The KVM lab, host side: real KVM on machines without it, by nesting. A QEMU TCG guest
 * ("level 1") whose virtual CPU offers hardware virtualization (x86_64: {@code -cpu max} has
 * SVM and NPT; aarch64: {@code virtualization=on} gives EL2) runs Debian's kernel with KVM;
 * inside it a JVM runs {@link LabScenarios} on our KVM backend, booting "level 2" Debian guests.
 *
 * <p>One run: 1. provision the level-1 assets ({@link KvmLabImage}: kernel, JRE, modules, the
 * level-2 guest), cached; 2. write this JVM's own classes (engine, kernels, JNA) and the
 * {@code /linuxvm/exec} script into an overlay archive; 3. start QEMU with the initrd
 * {@code busybox initramfs + lab base archive + overlay}; 4. file every console line: all of
 * them into {@code level1.log}, the {@code L2|<scenario>|} lines into {@code level2/<scenario>.log},
 * KTAP result lines to {@code progress}; 5. stop at {@code linuxvm: exit N} (the exec script's
 * end) or at the timeout, and never leave QEMU running.
 */
public final class KvmLab {
    /** Level-1 RAM: the JVM, the unpacked ~250 MB initrd and level-2 guests of up to 3.5 GiB (touched lazily). */
    static final int LEVEL1_MEMORY_MIB = 4096;
    /** Level-1 vCPUs: two, so level-2 guests with 2 and 4 vCPUs really run in parallel. */
    static final int LEVEL1_CPUS = 2;
    private static final Pattern EXIT = Pattern.compile("^linuxvm: exit (\\d+)\\s*$");

    private KvmLab() {
    }

    /**
     * @param arch       the level-1 and level-2 architecture
     * @param ktap       the level-1 console, in which LabScenarios' KTAP document stands
     * @param level1Log  the whole level-1 console
     * @param level2Logs each scenario's level-2 console
     * @param exitStatus the exec script's status ({@code linuxvm: exit N}), empty if it never ended
     * @param wall       QEMU start to the end
     * @param problem    why the run ended abnormally (timeout, QEMU died), or null
     * @param retriedAfter the level-1 kernel failure that made this the second attempt, or null
     */
    public record Result(Arch arch, String ktap, Path level1Log, Map<String, Path> level2Logs,
                         OptionalInt exitStatus, Duration wall, String problem, String retriedAfter) {
        Result retried(String after) {
            return new Result(arch, ktap, level1Log, level2Logs, exitStatus, wall, problem, after);
        }
    }

    /**
     * What level 1's own kernel prints when the nesting itself fails: seen intermittently on
     * x86_64, a level-1 CPU soft-locked inside KVM_RUN for minutes (QEMU TCG's SVM emulation
     * running KVM), and QEMU's own SMP guest once panicked level 1. Level-2 lines (prefixed) and
     * KTAP diagnostics never count.
     */
    static final List<String> LEVEL1_KERNEL_FAILURES = List.of("watchdog: BUG: soft lockup", "Kernel panic - not syncing");
    private static final String LEVEL1_FAILURE_PREFIX = "level 1's own kernel failed: ";

    /** Runs every scenario for {@code arch}; {@code reportDir} receives the transcripts. */
    public static Result run(Arch arch, Path reportDir, Duration timeout, Consumer<String> progress) {
        return run(arch, reportDir, timeout, List.of(), progress);
    }

    /**
     * Runs the scenarios named in {@code only} (all when empty). When level 1's own kernel fails
     * ({@link #LEVEL1_KERNEL_FAILURES}: the nesting, not our backend), the attempt is stopped at
     * once, its transcripts are kept in {@code <reportDir>-attempt1}, and a second level 1 runs
     * the scenarios the first did not pass; the result's KTAP holds both ({@link LabRetry}), its
     * wall time is both attempts', and it says so ({@link Result#retriedAfter}).
     */
    public static Result run(Arch arch, Path reportDir, Duration timeout, List<String> only, Consumer<String> progress) {
        Result first = attempt(arch, reportDir, timeout, only, progress);
        if (first.problem() == null || !first.problem().startsWith(LEVEL1_FAILURE_PREFIX)) {
            return first;
        }
        List<String> order = LabRetry.order(first.ktap());
        Map<String, List<String>> firstBlocks = LabRetry.blocks(first.ktap(), order);
        List<String> rest = order.isEmpty() ? only : LabRetry.remaining(order, firstBlocks);
        if (!order.isEmpty() && rest.isEmpty()) {
            return first; // every scenario passed before level 1 failed: nothing to run again, the failure stands
        }
        try {
            Path kept = reportDir.resolveSibling(reportDir.getFileName() + "-attempt1");
            deleteTree(kept);
            Files.move(reportDir, kept);
            progress.accept("[" + arch + "] " + first.problem() + "; transcripts in " + kept + "; running "
                    + (order.isEmpty() ? "the lab" : "the scenarios it did not pass (" + String.join(", ", rest) + ")")
                    + " once more");
        } catch (IOException e) {
            throw new UncheckedIOException("KVM lab for " + arch + ": cannot keep the first attempt: " + e.getMessage(), e);
        }
        Result second = attempt(arch, reportDir, timeout, rest, progress);
        if (order.isEmpty()) {
            return second.retried(first.problem());
        }
        String merged = LabRetry.merge(order, firstBlocks, LabRetry.blocks(second.ktap(), order));
        return new Result(arch, merged, second.level1Log(), second.level2Logs(), second.exitStatus(),
                first.wall().plus(second.wall()), second.problem(), first.problem());
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Result attempt(Arch arch, Path reportDir, Duration timeout, List<String> only, Consumer<String> progress) {
        try {
            Files.createDirectories(reportDir.resolve("level2"));
            KvmLabImage.Assets assets = KvmLabImage.provision(arch, progress);
            Path initrd = reportDir.resolve("level1-initrd.cpio");
            writeInitrd(arch, assets, only, initrd);
            List<String> cmd = qemuCommand(arch, assets.level1Kernel(), initrd);
            Files.writeString(reportDir.resolve("qemu-command.txt"), String.join(" ", cmd) + "\n");
            progress.accept("[" + arch + "] starting level 1: " + String.join(" ", cmd));
            try {
                return runQemu(arch, cmd, reportDir, timeout, progress);
            } finally {
                Files.deleteIfExists(initrd); // ~250 MB; rebuilt in seconds
            }
        } catch (IOException e) {
            throw new UncheckedIOException("KVM lab for " + arch + ": " + e.getMessage(), e);
        }
    }

    // ---- 2. the level-1 initrd ---------------------------------------------------------------

    private static void writeInitrd(Arch arch, KvmLabImage.Assets assets, List<String> only, Path initrd) throws IOException {
        CpioWriter overlay = new CpioWriter(2_000_000);
        overlay.addDirectory("lab", 0755).addDirectory("lab/cp", 0755).addDirectory("linuxvm", 0755);
        List<String> classpath = new ArrayList<>();
        int n = 0;
        for (Path entry : ownClasspath()) {
            String at = "lab/cp/" + n++;
            if (Files.isDirectory(entry)) {
                addTree(overlay, entry, at);
                classpath.add("/" + at);
            } else {
                overlay.addFile(at + ".jar", 0644, Files.readAllBytes(entry));
                classpath.add("/" + at + ".jar");
            }
        }
        overlay.addFile("linuxvm/exec", 0755, execScript(arch, assets, classpath, only));
        try (OutputStream out = Files.newOutputStream(initrd)) {
            long at = Files.copy(TestKernels.forArch(arch).initramfs(), out);
            at += pad4(out, at);
            at += Files.copy(assets.baseArchive(), out);
            pad4(out, at);
            overlay.writeTo(out);
        }
    }

    /**
     * Zero bytes up to the next multiple of 4: the kernel reads an uncompressed cpio archive that
     * follows another archive only at a 4-byte aligned offset (init/initramfs.c skips zero padding
     * in steps of 4), else it stops with "invalid magic at start of compressed archive".
     */
    private static int pad4(OutputStream out, long length) throws IOException {
        int pad = (int) ((4 - (length & 3)) & 3);
        out.write(new byte[pad]);
        return pad;
    }

    /** The script level 1's /init runs: modules, /dev/kvm, the scenarios, level 1's KVM lines. */
    static String execScript(Arch arch, KvmLabImage.Assets assets, List<String> classpath, List<String> only) {
        StringBuilder s = new StringBuilder("#!/bin/sh\n");
        s.append("echo \"lab: level 1 userspace at $(cut -d' ' -f1 /proc/uptime) s\"\n");
        for (String module : assets.modules()) {
            s.append("insmod ").append(module).append(" || { echo 'lab: insmod ").append(module).append(" failed'; exit 90; }\n");
        }
        s.append("[ -c /dev/kvm ] || { echo 'lab: no /dev/kvm in level 1'; dmesg | tail -20; exit 91; }\n");
        s.append("echo \"lab: /dev/kvm at $(cut -d' ' -f1 /proc/uptime) s\"\n");
        s.append(assets.javaPath())
                .append(' ').append(String.join(" ", KvmLabImage.JAVA_OPTIONS))
                .append(" -cp ").append(String.join(":", classpath))
                .append(' ').append(LabScenarios.class.getName())
                .append(" --arch ").append(arch.unameMachine())
                .append(" --kernel ").append(assets.level2Kernel())
                .append(" --initrd ").append(assets.level2Initramfs());
        if (!only.isEmpty()) {
            s.append(" --only ").append(String.join(",", only));
        }
        s.append("\nstatus=$?\n");
        s.append("echo \"lab: scenarios done at $(cut -d' ' -f1 /proc/uptime) s\"\n");
        // Level 1's own view of KVM (unhandled MSRs, nested-paging notes), for the report.
        s.append("dmesg | grep -i -e kvm -e svm -e unhandled -e 'vgic' | sed 's/^/L1| /'\n");
        s.append("exit $status\n");
        return s.toString();
    }

    /** Where this JVM loaded the lab, the engine and JNA from: jars or class directories. */
    static List<Path> ownClasspath() {
        Set<Path> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(KvmLab.class, GuestImage.class, com.sun.jna.Native.class)) {
            CodeSource src = c.getProtectionDomain().getCodeSource();
            if (src == null || src.getLocation() == null) {
                throw new VmmException("cannot tell where " + c.getName() + " was loaded from");
            }
            try {
                entries.add(Path.of(src.getLocation().toURI()));
            } catch (URISyntaxException e) {
                throw new VmmException("bad code source " + src.getLocation() + ": " + e.getMessage());
            }
        }
        return List.copyOf(entries);
    }

    private static void addTree(CpioWriter w, Path root, String at) throws IOException {
        w.addDirectory(at, 0755);
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted().toList()) {
                if (p.equals(root)) {
                    continue;
                }
                String name = at + "/" + root.relativize(p).toString().replace('\\', '/');
                if (Files.isDirectory(p)) {
                    w.addDirectory(name, 0755);
                } else {
                    w.addFile(name, 0644, Files.readAllBytes(p));
                }
            }
        }
    }

    // ---- 3. QEMU -------------------------------------------------------------------------------

    static List<String> qemuCommand(Arch arch, Path kernel, Path initrd) {
        List<String> cmd = new ArrayList<>();
        String append;
        if (arch == Arch.X86_64) {
            // TCG's "max" CPU offers SVM with nested paging; microvm boots in ~2 s under TCG.
            cmd.addAll(List.of("qemu-system-x86_64", "-M", "microvm", "-accel", "tcg", "-cpu", "max"));
            // tsc=reliable: under TCG the TSC follows the host clock and is consistent across vCPUs,
            // but level 1's clocksource watchdog, starved on a loaded host, calls it unstable; KVM
            // then gives level 2 a kvm-clock without a master clock, and level-2 guests (QEMU's as
            // much as ours) stalled for minutes during boot.
            // transparent_hugepage=never: with level 1's THP on (Debian's default), khugepaged
            // collapsing the pages of a running level-2 guest's RAM (our JVM's anonymous memory, whose
            // KVM mappings each collapse must invalidate) was seen stuck for 26 s ("BUG: soft lockup
            // ... [khugepaged]", which ends the attempt) while a 2-vCPU level-2 guest sat silent
            // mid-boot for 40 s.
            StringBuilder a = new StringBuilder("console=ttyS0 panic=-1 loglevel=4 tsc=reliable transparent_hugepage=never");
            // Without a TSC frequency, microvm under TCG can hang calibrating against the PIT
            // (vmm-engine/README.md, "TSC calibration under TCG").
            OptionalLong khz = QemuHost.tscKhz();
            khz.ifPresent(k -> a.append(" tsc_early_khz=").append(k));
            append = a.toString();
        } else {
            // virtualization=on gives the guest EL2; pauth-impdef keeps "max" fast under TCG.
            cmd.addAll(List.of("qemu-system-aarch64", "-M", "virt,gic-version=3,virtualization=on", "-accel", "tcg",
                    "-cpu", "max,pauth-impdef=on"));
            append = "console=ttyAMA0 panic=-1 loglevel=4";
        }
        cmd.addAll(List.of("-m", String.valueOf(LEVEL1_MEMORY_MIB), "-smp", String.valueOf(LEVEL1_CPUS),
                "-nodefaults", "-no-user-config", "-display", "none",
                "-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con", "-no-reboot",
                "-kernel", kernel.toString(), "-initrd", initrd.toString(), "-append", append));
        return cmd;
    }

    private static Result runQemu(Arch arch, List<String> cmd, Path reportDir, Duration timeout,
                                  Consumer<String> progress) throws IOException {
        long t0 = System.nanoTime();
        Process qemu = new ProcessBuilder(cmd)
                .redirectError(reportDir.resolve("qemu-stderr.txt").toFile())
                .start();
        Thread killer = new Thread(() -> kill(qemu), "kvm-lab-qemu-killer");
        Runtime.getRuntime().addShutdownHook(killer);
        Path level1Log = reportDir.resolve("level1.log");
        Map<String, Writer> level2 = new LinkedHashMap<>();
        Map<String, Path> level2Logs = new LinkedHashMap<>();
        StringBuilder transcript = new StringBuilder();
        Integer[] exit = {null};
        boolean[] consoleEnded = {false}; // guarded by exit; set by the reader as it finishes
        String[] level1Failure = {null}; // guarded by exit
        // Read on its own thread so the timeout holds even when the guest prints nothing.
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(qemu.getInputStream(), StandardCharsets.UTF_8));
                 Writer log = Files.newBufferedWriter(level1Log)) {
                String line;
                while ((line = in.readLine()) != null) {
                    line = line.replace("\r", "");
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    log.write(String.format("[%7.3f] %s%n", ms / 1000.0, line));
                    log.flush();
                    synchronized (transcript) {
                        transcript.append(line).append('\n');
                    }
                    if (line.startsWith(LabConsole.PREFIX)) {
                        int bar = line.indexOf('|', LabConsole.PREFIX.length());
                        if (bar > 0) {
                            String id = line.substring(LabConsole.PREFIX.length(), bar);
                            Writer w = level2.get(id);
                            if (w == null) {
                                Path p = reportDir.resolve("level2").resolve(id + ".log");
                                w = Files.newBufferedWriter(p);
                                level2.put(id, w);
                                level2Logs.put(id, p);
                            }
                            w.write(line.substring(bar + 1));
                            w.write('\n');
                            w.flush();
                        }
                        continue;
                    }
                    if (line.startsWith("ok ") || line.startsWith("not ok ") || line.startsWith("lab: ")
                            || line.startsWith("# FAILED") || line.contains("ratio")) {
                        progress.accept(String.format("[%s %5.1f s] %s", arch, ms / 1000.0, line));
                    }
                    // level 1's own kernel lines start with its printk timestamp; level-2 lines,
                    // KTAP diagnostics and the final L1| dump start otherwise
                    if (line.startsWith("[") && LEVEL1_KERNEL_FAILURES.stream().anyMatch(line::contains)) {
                        synchronized (exit) {
                            if (level1Failure[0] == null) {
                                level1Failure[0] = line.strip();
                            }
                            exit.notifyAll();
                        }
                    }
                    Matcher m = EXIT.matcher(line);
                    if (m.matches()) {
                        synchronized (exit) {
                            exit[0] = Integer.parseInt(m.group(1));
                            exit.notifyAll();
                        }
                    }
                }
            } catch (IOException e) {
                // QEMU went away; the waiter sees it
            } finally {
                for (Writer w : level2.values()) {
                    try {
                        w.close();
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
                synchronized (exit) {
                    consoleEnded[0] = true;
                    exit.notifyAll();
                }
            }
        }, "kvm-lab-console");
        reader.start();
        String problem = null;
        try {
            long deadline = t0 + timeout.toNanos();
            synchronized (exit) {
                while (exit[0] == null && !consoleEnded[0]) {
                    if (level1Failure[0] != null) {
                        problem = LEVEL1_FAILURE_PREFIX + level1Failure[0];
                        break;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        problem = "timed out after " + timeout.toSeconds() + " s";
                        break;
                    }
                    exit.wait(Math.max(1, left / 1_000_000));
                }
            }
            if (problem == null && exit[0] == null) {
                boolean exited = qemu.waitFor(5, TimeUnit.SECONDS);
                String status = exited ? String.valueOf(qemu.exitValue()) : "?";
                // Status 0 under -no-reboot: level 1 reset itself (seen while QEMU's own KVM guest,
                // the benchmark's peer, booted in it), a failure of the nesting like those above;
                // a JVM that failed would still have let level 1's init print its status.
                problem = (exited && qemu.exitValue() == 0 ? LEVEL1_FAILURE_PREFIX : "")
                        + "level 1 ended without 'linuxvm: exit N' (QEMU status " + status + ")";
            }
            if (exit[0] != null) {
                // poweroff -f follows; give QEMU a moment to leave by itself.
                qemu.waitFor(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        } finally {
            kill(qemu);
            try {
                reader.join(10_000);
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IllegalStateException e) {
                // shutting down: the hook runs anyway
            }
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - t0);
        String text;
        synchronized (transcript) {
            text = transcript.toString();
        }
        progress.accept(String.format("[%s] level 1 done in %.1f s%s", arch, wall.toMillis() / 1000.0,
                problem == null ? "" : ": " + problem));
        return new Result(arch, text, level1Log, Map.copyOf(level2Logs),
                exit[0] == null ? OptionalInt.empty() : OptionalInt.of(exit[0]), wall, problem, null);
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code KvmLab <arch> [reportDir] [scenario,...]}: runs the lab by hand and prints its console lines. */
    public static void main(String[] args) throws IOException {
        Arch arch = Arch.parse(args.length > 0 ? args[0] : Arch.host().unameMachine());
        Path dir = Path.of(args.length > 1 ? args[1] : "target/kvm-lab/" + arch.unameMachine());
        List<String> only = args.length > 2 ? List.of(args[2].split(",")) : List.of();
        Result r = run(arch, dir, Duration.ofMinutes(20), only, line -> System.out.println("kvm-lab: " + line));
        System.out.println("kvm-lab: transcripts in " + dir.toAbsolutePath() + "; exec status "
                + (r.exitStatus().isPresent() ? r.exitStatus().getAsInt() : "none")
                + (r.problem() == null ? "" : "; " + r.problem()));
        System.exit(r.problem() == null && r.exitStatus().orElse(1) == 0 ? 0 : 1);
    }
}
