package dev.linuxvm.kernels.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.Snapshot;
import dev.linuxvm.engine.backend.qemu.QemuBackend;
import dev.linuxvm.engine.backend.qemu.QemuSnapshot;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.launch.DefaultCmdline;
import dev.linuxvm.engine.launch.GuestFactory;
import dev.linuxvm.engine.launch.GuestSpec;
import dev.linuxvm.kernels.GuestInitramfs;
import dev.linuxvm.kernels.TestKernel;
import dev.linuxvm.kernels.TestKernels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue #9 on the QEMU executor: the provisioned Debian guest boots to its shell as a snapshot
 * template, writes a marker file, and is snapshotted; two clones run at once, each answers
 * commands on its own fresh console, both see the template's marker, neither sees the other's
 * files; afterwards no QEMU, socket, RAM file or directory is left. Prints boot and restore
 * times (restore call to the first answered {@code echo}).
 */
class QemuSnapshotBootTest {
    private static final Duration BOOT = Duration.ofSeconds(180);
    private static final Duration STEP = Duration.ofSeconds(30);

    @TempDir
    Path workRoot; // short: socket paths
    /** The RAM files go to tmpfs, as by default, but in a directory this test can check is left empty. */
    private Path ramRoot;

    @BeforeEach
    void ramRoot() throws IOException {
        Path shm = Path.of("/dev/shm");
        ramRoot = Files.createTempDirectory(Files.isDirectory(shm) ? shm : workRoot, "qsnap-test-");
    }

    @AfterEach
    void removeRamRoot() throws IOException {
        Files.deleteIfExists(ramRoot); // only when empty: the test reports what it finds there
    }

    @ParameterizedTest(name = "{0} {1} MiB")
    @CsvSource({"X86_64, 512", "AARCH64, 512", "X86_64, 3584"})
    void two_clones_of_a_debian_shell_answer_with_private_memory_and_the_templates_files(Arch arch, int mib) throws Exception {
        QemuBackend qemu = QemuBackend.builder().workRoot(workRoot).ramRoot(ramRoot).build();
        assumeTrue(qemu.availability(arch).available(), () -> qemu.availability(arch).reason());
        TestKernel k = TestKernels.forArch(arch);
        GuestImage image = GuestFactory.build(new GuestSpec(arch, BootMode.ACPI, k.kernel(), Files.readAllBytes(k.initramfs()),
                DefaultCmdline.forArch(arch, true), mib, 1));

        ConsoleCapture templateConsole = new ConsoleCapture();
        long t0 = System.nanoTime();
        try (RunningVm template = qemu.startForSnapshot(image, templateConsole)) {
            templateConsole.await(GuestInitramfs.READY_MARKER, BOOT);
            templateConsole.await(GuestInitramfs.PROMPT, STEP);
            answer(template, templateConsole, "echo boot-$((1+1))", "boot-2");
            long bootMs = millisSince(t0);
            answer(template, templateConsole, "echo template > /root/marker; echo wrote-$((2+2))", "wrote-4");
            awaitText(template, templateConsole, "wrote-4\n" + GuestInitramfs.PROMPT, 0); // idle at its prompt

            long s0 = System.nanoTime();
            try (Snapshot snapshot = template.snapshot()) {
                long snapshotMs = millisSince(s0);
                long stateBytes = ((QemuSnapshot) snapshot).stateBytes();
                ConsoleCapture a = new ConsoleCapture();
                ConsoleCapture b = new ConsoleCapture();
                long r0 = System.nanoTime();
                try (RunningVm cloneA = qemu.restore(snapshot, a)) {
                    long restoreCallA = millisSince(r0);
                    answer(cloneA, a, "echo clone-$((1+1))", "clone-2");
                    long firstEchoA = millisSince(r0);
                    long r1 = System.nanoTime();
                    try (RunningVm cloneB = qemu.restore(snapshot, b)) {
                        answer(cloneB, b, "echo clone-$((1+1))", "clone-2");
                        long firstEchoB = millisSince(r1);

                        answer(cloneA, a, "echo a > /root/only-a; echo marker-$(cat /root/marker)-$((1+2))", "marker-template-3");
                        answer(cloneB, b, "echo marker-$(cat /root/marker)-$((1+2))", "marker-template-3");
                        answer(cloneB, b, "[ -e /root/only-a ] && echo only-a-seen-$((3+3)) || echo only-a-absent-$((3+3))",
                                "-6");
                        assertThat(b.text()).as("clone B's console:%n%s", b.tail(20)).contains("only-a-absent-6");
                        // one line: a kernel message may come between two (a clocksource's once did)
                        answer(cloneA, a, "echo content-$(cat /root/only-a)-still-$((4+4))", "-still-8");
                        assertThat(a.text()).as("clone A's console:%n%s", a.tail(20)).contains("content-a-still-8");

                        // The extension sets a clone's stale clock through the console (DESIGN.md).
                        long epoch = System.currentTimeMillis() / 1000 + 3600;
                        answer(cloneA, a, "date -s @" + epoch + " >/dev/null; echo now-$(date +%s)-now$((5+5))", "-now10");
                        long now = Long.parseLong(a.text().replaceAll("(?s).*now-(\\d+)-now10.*", "$1"));
                        assertThat(now).as("clone A's clock after date -s").isBetween(epoch, epoch + 60);

                        for (ConsoleCapture c : List.of(a, b)) {
                            assertThat(c.text()).as("a clone's console starts fresh").doesNotContain(GuestInitramfs.READY_MARKER);
                        }
                        assertThat(cloneA.exit()).isEmpty();
                        assertThat(cloneB.exit()).isEmpty();
                        System.out.printf("QEMU snapshot %s %d MiB (%s): boot to first echo %d ms; snapshot %d ms, state %d KiB;"
                                        + " restore call %d ms, restore to first echo %d ms (clone A), %d ms (clone B, A running);"
                                        + " boot / restore %.1f%n",
                                arch, mib, qemu.accelerator(arch), bootMs, snapshotMs, stateBytes >> 10, restoreCallA,
                                firstEchoA, firstEchoB, (double) bootMs / Math.max(firstEchoA, firstEchoB));
                    }
                }
                assertThat(templateConsole.text()).as("the template's console after the snapshot")
                        .doesNotContain("clone-2", "only-a");
            }
        }
        assertThat(list(workRoot)).as("work directories and sockets").isEmpty();
        assertThat(list(ramRoot)).as("RAM files and snapshot state").isEmpty();
        assertThat(processesNaming(workRoot)).as("processes naming %s", workRoot).isEmpty();
        assertThat(processesNaming(ramRoot)).as("processes naming %s", ramRoot).isEmpty();
        try (Stream<ProcessHandle> d = ProcessHandle.current().descendants()) {
            assertThat(d.filter(p -> p.info().command().orElse("").contains("qemu-system")).toList())
                    .as("QEMU processes under this JVM").isEmpty();
        }
    }

    /** Types {@code command} and waits for {@code expected} (computed by the shell, so no echo of the input matches). */
    static void answer(RunningVm vm, ConsoleCapture console, String command, String expected) throws Exception {
        int before = console.text().length();
        vm.consoleInput().write((command + "\n").getBytes(StandardCharsets.UTF_8));
        vm.consoleInput().flush();
        awaitText(vm, console, expected, before);
    }

    /** Waits for {@code expected} in the transcript (CRs removed) from index {@code from}; fails quoting its tail. */
    private static void awaitText(RunningVm vm, ConsoleCapture console, String expected, int from) throws Exception {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (console.text().indexOf(expected, from) < 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + expected + "' within " + STEP + "; exit " + vm.exit()
                        + "; last lines:\n" + console.tail(20));
            }
            Thread.sleep(2);
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    /** Live processes whose /proc/PID/cmdline mentions {@code path}. */
    static List<Long> processesNaming(Path path) throws IOException {
        String needle = path.toString();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> {
                        try {
                            return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).contains(needle);
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .toList();
        }
    }
}
