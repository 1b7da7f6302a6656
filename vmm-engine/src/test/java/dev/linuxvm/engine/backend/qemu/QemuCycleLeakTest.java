package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.ProcSelf;
import dev.linuxvm.engine.backend.Backend.Availability;
import dev.linuxvm.engine.backend.VmExit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue #11, "nothing leaks": {@value #CYCLES} start/close cycles of the QEMU executor (TCG, a
 * guest that spins, closed as soon as it runs) leave no QEMU process, no wrapper shell, no
 * socket or work directory and no descriptor behind; so do {@value #SNAPSHOT_CYCLES} cycles of
 * template, snapshot, two clones (issue #9), which also leave no RAM file or saved state.
 */
class QemuCycleLeakTest {
    static final int CYCLES = 100;
    static final int WARM_UP = 3;
    static final int SNAPSHOT_CYCLES = 20;

    @TempDir
    Path workRoot; // short (/tmp/junit…): the serial and QMP socket paths must fit sun_path's 108 bytes
    @TempDir
    Path ramRoot;

    @Test
    void a_hundred_start_close_cycles_leave_no_process_socket_directory_or_descriptor() throws Exception {
        QemuBackend backend = QemuBackend.builder().tcgOnly().workRoot(workRoot).build();
        Availability a = backend.availability(Arch.X86_64);
        assumeTrue(a.available(), a.reason());
        var image = TestGuests.x86(TestGuests.X86_LOOP, "");
        for (int i = 0; i < WARM_UP; i++) {
            cycle(backend, image, -1 - i); // process reaper thread, NIO selector provider, classes
        }
        ProcSelf first = ProcSelf.now();
        Map<String, String> fdsBefore = ProcSelf.steadyOpenFds();

        long t0 = System.nanoTime();
        long slowest = 0;
        for (int i = 0; i < CYCLES; i++) {
            long c0 = System.nanoTime();
            cycle(backend, image, i);
            slowest = Math.max(slowest, System.nanoTime() - c0);
        }
        long perCycleMs = (System.nanoTime() - t0) / 1_000_000 / CYCLES;
        ProcSelf last = ProcSelf.now();
        System.out.printf("QEMU %d start/close cycles: %d ms each (slowest %d ms); first %s; last %s%n", CYCLES,
                perCycleMs, slowest / 1_000_000, first, last);

        assertThat(qemuDescendants()).as("qemu-system processes under this JVM").isEmpty();
        assertThat(ProcessHandle.current().children().toList()).as("child processes of this JVM").isEmpty();
        assertThat(processesNaming(workRoot)).as("processes whose command line names %s", workRoot).isEmpty();
        try (Stream<Path> left = Files.list(workRoot)) {
            assertThat(left.toList()).as("work directories and sockets left in %s", workRoot).isEmpty();
        }
        assertThat(ProcSelf.openFdsSettlingTo(fdsBefore)).as("open descriptors (fd → target)").isEqualTo(fdsBefore);
        // The reaper and NIO threads are per JVM; one more per cycle would be 100.
        assertThat(last.javaThreads()).as("Java threads; first %s, last %s", first, last)
                .isLessThanOrEqualTo(first.javaThreads() + 2);
    }

    @Test
    void snapshot_cycles_leave_no_process_socket_ram_file_state_or_descriptor() throws Exception {
        QemuBackend backend = QemuBackend.builder().tcgOnly().workRoot(workRoot).ramRoot(ramRoot).build();
        Availability a = backend.availability(Arch.X86_64);
        assumeTrue(a.available(), a.reason());
        var image = TestGuests.x86(TestGuests.X86_ECHO_UNTIL_Q, "");
        for (int i = 0; i < WARM_UP; i++) {
            snapshotCycle(backend, image, -1 - i);
        }
        ProcSelf first = ProcSelf.now();
        Map<String, String> fdsBefore = ProcSelf.steadyOpenFds();
        long t0 = System.nanoTime();
        for (int i = 0; i < SNAPSHOT_CYCLES; i++) {
            snapshotCycle(backend, image, i);
        }
        System.out.printf("QEMU %d template/snapshot/2-clone cycles: %d ms each%n", SNAPSHOT_CYCLES,
                (System.nanoTime() - t0) / 1_000_000 / SNAPSHOT_CYCLES);
        ProcSelf last = ProcSelf.now();

        assertThat(qemuDescendants()).as("qemu-system processes under this JVM").isEmpty();
        assertThat(ProcessHandle.current().children().toList()).as("child processes of this JVM").isEmpty();
        assertThat(processesNaming(workRoot)).as("processes whose command line names %s", workRoot).isEmpty();
        assertThat(processesNaming(ramRoot)).as("processes whose command line names %s", ramRoot).isEmpty();
        assertThat(workRoot).as("work directories and sockets").isEmptyDirectory();
        assertThat(ramRoot).as("RAM files and saved state").isEmptyDirectory();
        assertThat(ProcSelf.openFdsSettlingTo(fdsBefore)).as("open descriptors (fd → target)").isEqualTo(fdsBefore);
        assertThat(last.javaThreads()).as("Java threads; first %s, last %s", first, last)
                .isLessThanOrEqualTo(first.javaThreads() + 2);
    }

    /** Template, snapshot, two clones that each echo a byte; everything closed in turn. */
    private static void snapshotCycle(QemuBackend backend, dev.linuxvm.engine.GuestImage image, int i) throws Exception {
        QemuVm template = (QemuVm) backend.startForSnapshot(image, new CapturingConsole());
        List<Long> pids = new java.util.ArrayList<>(List.of(template.qemuPid()));
        try (template; var snapshot = template.snapshot()) {
            for (int c = 0; c < 2; c++) {
                CapturingConsole console = new CapturingConsole();
                try (QemuVm clone = (QemuVm) backend.restore(snapshot, console)) {
                    pids.add(clone.qemuPid());
                    clone.consoleInput().write('0' + c);
                    console.await(String.valueOf((char) ('0' + c)), java.time.Duration.ofSeconds(30));
                }
            }
        }
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("cycle %d: QEMU pid %d", i, pid).isEmpty();
        }
    }

    private static void cycle(QemuBackend backend, dev.linuxvm.engine.GuestImage image, int i) {
        QemuVm vm = (QemuVm) backend.start(image, new CapturingConsole());
        long pid = vm.qemuPid();
        Path workDir = vm.workDir();
        vm.close();
        assertThat(vm.exit()).as("cycle %d", i).contains(new VmExit.Stopped("closed by the host"));
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("cycle %d: QEMU pid %d", i, pid).isEmpty();
        assertThat(workDir).as("cycle %d: work directory", i).doesNotExist();
    }

    private static List<ProcessHandle> qemuDescendants() {
        try (Stream<ProcessHandle> d = ProcessHandle.current().descendants()) {
            return d.filter(p -> p.info().command().orElse("").contains("qemu-system")).toList();
        }
    }

    /** Live processes whose /proc/PID/cmdline mentions {@code path} (a QEMU names its sockets there). */
    static List<Long> processesNaming(Path path) throws IOException {
        String needle = path.toString();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> {
                        try {
                            return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                                    .contains(needle);
                        } catch (IOException e) {
                            return false; // exited while we looked
                        }
                    })
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .toList();
        }
    }
}
