package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.Backend.Availability;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.VmExit;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs hand-assembled guests on the real qemu-system-* binaries (TCG here). */
class QemuBackendTest {
    private static final Duration BOOT = Duration.ofSeconds(30);
    private final QemuBackend backend = QemuBackend.builder().tcgOnly().build();

    private void assumeQemu(Arch arch) {
        Availability a = backend.availability(arch);
        assumeTrue(a.available(), a.reason());
    }

    @Test
    void aarch64_guest_gets_x0_from_the_trampoline_prints_and_powers_off() throws Exception {
        assumeQemu(Arch.AARCH64);
        CapturingConsole console = new CapturingConsole();
        try (RunningVm vm = backend.start(TestGuests.arm64(TestGuests.ARM_PRINT_X0_THEN_OFF, "OK via x0\n"), console)) {
            Optional<VmExit> exit = vm.awaitExit(BOOT);
            assertThat(exit).as("exit; console '%s'", console.text()).contains(new VmExit.PoweredOff());
            assertThat(console.text()).isEqualTo("OK via x0\n");
        }
    }

    @Test
    void a_qemu_started_ahead_runs_the_aarch64_image_built_afterwards_from_the_fixed_trampoline() throws Exception {
        assumeQemu(Arch.AARCH64);
        GuestImage image = TestGuests.arm64(TestGuests.ARM_PRINT_X0_THEN_OFF, "OK ahead via x0\n");
        CapturingConsole console = new CapturingConsole();
        try (Backend.Prestart ahead = backend.prestart(Arch.AARCH64, image.ramSize(), image.cpus(), false)) {
            assertThat(ahead).isInstanceOf(QemuBackend.QemuPrestart.class); // /dev/shm takes the RAM file here
            try (RunningVm vm = ahead.start(image, console)) {
                assertThat(vm.awaitExit(BOOT)).as("exit; console '%s'", console.text()).contains(new VmExit.PoweredOff());
                assertThat(console.text()).isEqualTo("OK ahead via x0\n");
            }
        }
    }

    @Test
    void a_qemu_started_ahead_runs_the_x86_image_built_afterwards_through_the_roms_entry_slot() throws Exception {
        assumeQemu(Arch.X86_64);
        GuestImage image = TestGuests.x86(TestGuests.X86_PRINT_RSI_THEN_OFF, "OK ahead via rsi\n");
        CapturingConsole console = new CapturingConsole();
        try (Backend.Prestart ahead = backend.prestart(Arch.X86_64, image.ramSize(), image.cpus(), false)) {
            try (RunningVm vm = ahead.start(image, console)) {
                assertThat(vm.awaitExit(BOOT)).as("exit; console '%s'", console.text()).contains(new VmExit.PoweredOff());
                assertThat(console.text()).isEqualTo("OK ahead via rsi\n");
            }
            assertThatThrownBy(() -> ahead.start(image, console)).isInstanceOf(IllegalStateException.class);
        }
    }

    /** The x86 test guest with the text RSI points at read from {@code text} (a file-backed region, like a kernel's). */
    private static GuestImage x86WithFileText(Path text) throws IOException {
        int length = (int) Files.size(text);
        return GuestImage.builder(Arch.X86_64)
                .ram(0, 128L << 20)
                .region(dev.linuxvm.engine.MemoryRegion.of("gdt", TestGuests.X86_GDT, TestGuests.gdt()))
                .region(dev.linuxvm.engine.MemoryRegion.ofFile("rsi text", TestGuests.X86_RSI_DATA, text, 0, length, length))
                .region(dev.linuxvm.engine.MemoryRegion.of("page tables", TestGuests.X86_PML4, TestGuests.pageTables()))
                .region(dev.linuxvm.engine.MemoryRegion.of("code", TestGuests.X86_CODE, TestGuests.X86_PRINT_RSI_THEN_OFF))
                .bootState(TestGuests.x86State())
                .build();
    }

    @Test
    void regions_preloaded_ahead_are_in_the_guest_and_start_writes_the_rest(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        assumeQemu(Arch.X86_64);
        Path text = Files.write(dir.resolve("text"), TestGuests.cString("OK preloaded\n"));
        GuestImage image = x86WithFileText(text);
        List<dev.linuxvm.engine.MemoryRegion> fileRegions = image.regions().stream().filter(r -> r.file().isPresent()).toList();
        assertThat(fileRegions).hasSize(1);
        CapturingConsole console = new CapturingConsole();
        try (QemuBackend.QemuPrestart ahead = (QemuBackend.QemuPrestart) backend.prestart(Arch.X86_64, image.ramSize(),
                image.cpus(), false)) {
            ahead.preload(fileRegions);
            ahead.awaitPreload();
            // the file changes after the preload: the guest prints what was written ahead, so
            // start() did not write that region again
            Files.write(text, TestGuests.cString("written twice\n"));
            try (RunningVm vm = ahead.start(image, console)) {
                assertThat(vm.awaitExit(BOOT)).as("exit; console '%s'", console.text()).contains(new VmExit.PoweredOff());
                assertThat(console.text()).isEqualTo("OK preloaded\n");
            }
        }
    }

    @Test
    void regions_preloaded_that_the_image_does_not_hold_fail_the_start_and_leave_nothing(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        assumeQemu(Arch.X86_64);
        Path text = Files.write(dir.resolve("text"), TestGuests.cString("OK\n"));
        GuestImage image = TestGuests.x86(TestGuests.X86_PRINT_RSI_THEN_OFF, "OK\n");
        QemuBackend.QemuPrestart ahead = (QemuBackend.QemuPrestart) backend.prestart(Arch.X86_64, image.ramSize(), image.cpus(), false);
        long pid = ahead.spawned().pid();
        Path workDir = ahead.spawned().workDir();
        ahead.preload(List.of(dev.linuxvm.engine.MemoryRegion.ofFile("stray", 0x300000, text, 0, 4, 4)));
        assertThatThrownBy(() -> ahead.start(image, new CapturingConsole()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the regions written ahead are not the image's");
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("QEMU pid %d after the failed start", pid).isEmpty();
        assertThat(workDir).doesNotExist();
        ahead.close();
    }

    @Test
    void a_qemu_started_ahead_refuses_an_image_of_another_shape_and_closing_it_leaves_nothing() throws Exception {
        assumeQemu(Arch.X86_64);
        GuestImage image = TestGuests.x86(TestGuests.X86_LOOP, "");
        QemuBackend.QemuPrestart ahead = (QemuBackend.QemuPrestart) backend.prestart(Arch.X86_64, image.ramSize() * 2, 1, false);
        long pid = ahead.spawned().pid();
        Path workDir = ahead.spawned().workDir();
        Path ramDir = ahead.spawned().fillDir();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("QEMU started ahead").isPresent();
        assertThatThrownBy(() -> ahead.start(image, new CapturingConsole()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but QEMU was started ahead for a Machine[arch=x86_64, ramSize=268435456");
        ahead.close();
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("QEMU pid %d after close", pid).isEmpty();
        assertThat(processesMentioning(workDir).stream().map(p -> p.pid() + " " + p.parent().map(ProcessHandle::pid) + " "
                + p.info().commandLine().orElse("?").substring(0, 60)).toList()).isEmpty();
        assertThat(workDir).doesNotExist();
        assertThat(ramDir).doesNotExist();
        ahead.close(); // idempotent
    }

    @Test
    void a_throwing_console_listener_is_logged_with_its_exception_and_the_guest_runs_on() throws Exception {
        assumeQemu(Arch.AARCH64);
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(QemuVm.class.getName());
        java.util.List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try (RunningVm vm = backend.start(TestGuests.arm64(TestGuests.ARM_PRINT_X0_THEN_OFF, "OK via x0\n"),
                (b, o, l) -> {
                    throw new IllegalStateException("listener bug");
                })) {
            assertThat(vm.awaitExit(BOOT)).contains(new VmExit.PoweredOff()); // the drain went on
        } finally {
            log.removeHandler(capture);
        }
        assertThat(records).anySatisfy(r -> {
            assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
            assertThat(r.getMessage()).contains("console listener", "threw");
            assertThat(r.getThrown()).hasMessage("listener bug");
        });
        assertThat(records).anySatisfy(r -> assertThat(r.getMessage()).contains("bytes of console output were dropped"));
    }

    @Test
    void aarch64_psci_system_reset_is_a_reset() throws Exception {
        assumeQemu(Arch.AARCH64);
        try (RunningVm vm = backend.start(TestGuests.arm64(TestGuests.ARM_RESET, ""), new CapturingConsole())) {
            assertThat(vm.awaitExit(BOOT)).contains(new VmExit.Reset());
        }
    }

    @Test
    void x86_guest_enters_long_mode_through_the_reset_rom_gets_rsi_prints_and_powers_off() throws Exception {
        assumeQemu(Arch.X86_64);
        CapturingConsole console = new CapturingConsole();
        try (RunningVm vm = backend.start(TestGuests.x86(TestGuests.X86_PRINT_RSI_THEN_OFF, "OK via rsi\n"), console)) {
            Optional<VmExit> exit = vm.awaitExit(BOOT);
            assertThat(exit).as("exit; console '%s'", console.text()).contains(new VmExit.PoweredOff());
            assertThat(console.text()).isEqualTo("OK via rsi\n");
        }
    }

    @Test
    void x86_console_input_reaches_the_guest_and_its_echo_comes_back() throws Exception {
        assumeQemu(Arch.X86_64);
        CapturingConsole console = new CapturingConsole();
        try (RunningVm vm = backend.start(TestGuests.x86(TestGuests.X86_ECHO_UNTIL_Q, ""), console)) {
            vm.consoleInput().write("hello".getBytes(StandardCharsets.US_ASCII));
            vm.consoleInput().flush();
            console.await("hello", BOOT);
            vm.consoleInput().write('q');
            vm.consoleInput().flush();
            assertThat(vm.awaitExit(BOOT)).as("console '%s'", console.text()).contains(new VmExit.PoweredOff());
            assertThat(console.text()).isEqualTo("helloq");
        }
    }

    @Test
    void x86_reset_rom_marks_itself_entered_so_a_second_run_resets_instead_of_reentering_the_kernel() throws Exception {
        assumeQemu(Arch.X86_64);
        CapturingConsole console = new CapturingConsole();
        try (RunningVm vm = backend.start(TestGuests.x86(TestGuests.X86_PRINT_ROM_ENTERED_FLAG, ""), console)) {
            assertThat(vm.awaitExit(BOOT)).contains(new VmExit.PoweredOff());
            // The flag stuck: microvm's BIOS memory is writable, so the guard in the ROM is live.
            assertThat(console.text()).isEqualTo("1");
        }
    }

    @Test
    void x86_triple_fault_is_a_reset() throws Exception {
        assumeQemu(Arch.X86_64);
        try (RunningVm vm = backend.start(TestGuests.x86(TestGuests.X86_TRIPLE_FAULT, ""), new CapturingConsole())) {
            assertThat(vm.awaitExit(BOOT)).contains(new VmExit.Reset());
        }
    }

    @Test
    void close_stops_a_looping_x86_guest_and_releases_everything() throws Exception {
        assumeQemu(Arch.X86_64);
        closeReleasesEverything(TestGuests.x86(TestGuests.X86_LOOP, ""));
    }

    @Test
    void close_stops_a_looping_aarch64_guest_and_releases_everything() throws Exception {
        assumeQemu(Arch.AARCH64);
        closeReleasesEverything(TestGuests.arm64(TestGuests.ARM_LOOP, ""));
    }

    private void closeReleasesEverything(GuestImage image) throws Exception {
        // warm up: the JDK opens some descriptors (process reaper, NIO) once per JVM
        try (RunningVm warm = backend.start(image, new CapturingConsole())) {
            assertThat(warm.exit()).isEmpty();
        }
        java.util.Map<String, String> fdsBefore = dev.linuxvm.engine.ProcSelf.steadyOpenFds();
        QemuVm vm = (QemuVm) backend.start(image, new CapturingConsole());
        long pid = vm.qemuPid();
        Path workDir = vm.workDir();
        assertThat(ProcessHandle.of(pid)).as("QEMU process").isPresent();
        assertThat(vm.awaitExit(Duration.ofMillis(500))).as("a looping guest keeps running").isEmpty();
        assertThat(liveThreads()).isNotEmpty();
        // The guest's RAM file, its name gone, is held open by this JVM too: QEMU's exit does not
        // free its pages on the way out, close() does (QemuVm#releaseRam).
        assertThat(dev.linuxvm.engine.ProcSelf.openFds().values()).as("open file descriptors")
                .anyMatch(target -> target.endsWith("/" + QemuSnapshot.RAM_FILE + " (deleted)"));

        long t0 = System.nanoTime();
        vm.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertThat(vm.exit()).contains(new VmExit.Stopped("closed by the host"));
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("QEMU pid %d after close", pid).isEmpty();
        assertThat(processesMentioning(workDir)).as("processes naming %s", workDir).isEmpty();
        assertThat(workDir).doesNotExist();
        assertThat(liveThreads()).isEmpty();
        assertThat(dev.linuxvm.engine.ProcSelf.openFdsSettlingTo(fdsBefore)).as("open file descriptors (fd → target)").isEqualTo(fdsBefore);
        assertThat(closeMillis).as("close() time in ms").isLessThan(5000);
        vm.close(); // idempotent
        assertThat(vm.exit()).contains(new VmExit.Stopped("closed by the host"));
    }

    @Test
    void the_lifeline_wrapper_kills_its_child_when_the_pipe_from_the_jvm_closes() throws Exception {
        // What happens to QEMU when the JVM dies abruptly: the kernel closes the JVM's end of the
        // wrapper's stdin. Here the child is `sleep` and we close the pipe ourselves.
        Process wrapper = new ProcessBuilder("/bin/sh", "-c", QemuVm.WRAPPER, "test", "sleep", "1000")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long childPid;
        try (var out = wrapper.inputReader()) {
            childPid = Long.parseLong(out.readLine().trim());
        }
        ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();
        assertThat(wrapper.descendants().map(ProcessHandle::pid)).contains(childPid);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!child.info().command().orElse("").endsWith("sleep") && System.nanoTime() < deadline) {
            Thread.sleep(10); // the forked shell has not exec'd sleep yet
        }
        assertThat(child.info().command()).hasValueSatisfying(c -> assertThat(c).endsWith("sleep"));
        wrapper.getOutputStream().close();
        assertThat(wrapper.waitFor(5, TimeUnit.SECONDS)).as("wrapper exits").isTrue();
        assertThat(wrapper.exitValue()).isEqualTo(137); // SIGKILL
        assertThat(child.onExit().get(5, TimeUnit.SECONDS).isAlive()).isFalse();
    }

    @Test
    void the_wrapper_reaps_its_lifeline_watcher_before_it_exits() throws Exception {
        // QEMU ending by itself (a power-off) ends the wrapper, which stops its lifeline watcher:
        // once the wrapper is gone, nothing it started may still be alive. An unreaped watcher
        // shows only now and then: many rounds.
        for (int round = 0; round < 40; round++) {
            assertEndsWithNothingLeft(new ProcessBuilder("/bin/sh", "-c", QemuVm.WRAPPER, "test", "sleep", "0.02"),
                    "round " + round);
        }
    }

    @Test
    void the_wrapper_exits_where_sigterm_is_ignored() throws Exception {
        // An ignored signal stays ignored across exec: a JVM run with SIGTERM ignored (trap '' TERM
        // in the shell that started it) hands that to the wrapper and its watcher. The wrapper must
        // still end the watcher, reap it and exit with the child's status.
        assertEndsWithNothingLeft(new ProcessBuilder("/bin/sh", "-c", "trap '' TERM; exec /bin/sh -c \"$0\" test sleep 0.05",
                QemuVm.WRAPPER), "SIGTERM ignored");
    }

    /**
     * Starts {@code wrapper} (the wrapper around a child that exits 0 by itself, its lifeline held
     * open) and checks that it exits with the child's status and leaves nothing it started alive.
     */
    private static void assertEndsWithNothingLeft(ProcessBuilder wrapperCommand, String what) throws Exception {
        Process wrapper = wrapperCommand.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            try (var out = wrapper.inputReader()) {
                assertThat(out.readLine()).as("%s: the child's pid", what).isNotBlank();
            }
            List<ProcessHandle> started = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (started.size() < 2 && wrapper.isAlive() && System.nanoTime() < deadline) {
                started = wrapper.descendants().toList(); // the child, then the watcher
            }
            assertThat(wrapper.waitFor(5, TimeUnit.SECONDS)).as("%s: wrapper exits", what).isTrue();
            assertThat(wrapper.exitValue()).as("%s: the child's status", what).isZero();
            assertThat(started).as("%s: what the wrapper started", what).noneMatch(ProcessHandle::isAlive);
        } finally {
            wrapper.descendants().forEach(ProcessHandle::destroyForcibly);
            wrapper.destroyForcibly();
        }
    }

    @Test
    void qemu_dies_with_a_jvm_killed_by_sigkill() throws Exception {
        assumeQemu(Arch.X86_64);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process jvm = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), OrphanProbe.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line;
            try (var out = jvm.inputReader()) {
                line = out.readLine();
            }
            assertThat(line).as("child JVM's report").isNotNull();
            long qemuPid = Long.parseLong(line.split(" ")[0]);
            ProcessHandle qemu = ProcessHandle.of(qemuPid).orElseThrow();
            assertThat(qemu.isAlive()).isTrue();

            jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();

            assertThat(qemu.onExit().get(10, TimeUnit.SECONDS).isAlive()).as("QEMU pid %d after its JVM was killed", qemuPid).isFalse();
            // The dead JVM could not delete its work directory; the next start in this root does.
            Path orphanDir = Path.of(line.split(" ", 2)[1]);
            assertThat(orphanDir).exists();
            try (RunningVm next = backend.start(TestGuests.x86(TestGuests.X86_LOOP, ""), new CapturingConsole())) {
                assertThat(orphanDir).as("stale work directory of the killed JVM").doesNotExist();
                assertThat(((QemuVm) next).workDir()).exists();
            }
        } finally {
            jvm.destroyForcibly();
        }
    }

    @Test
    void the_stale_directory_sweep_spares_directories_being_created_and_live_owners(@org.junit.jupiter.api.io.TempDir Path root)
            throws IOException {
        Path creating = Files.createDirectory(root.resolve(QemuBackend.WORK_DIR_PREFIX + "creating")); // no owner yet
        Path garbled = Files.createDirectory(root.resolve(QemuBackend.WORK_DIR_PREFIX + "garbled"));
        Files.writeString(garbled.resolve(QemuBackend.OWNER_FILE), "");
        Path live = Files.createDirectory(root.resolve(QemuBackend.WORK_DIR_PREFIX + "live"));
        Files.writeString(live.resolve(QemuBackend.OWNER_FILE), QemuBackend.ownerId(ProcessHandle.current()));
        Path stale = Files.createDirectory(root.resolve(QemuBackend.WORK_DIR_PREFIX + "stale"));
        // this JVM's pid with another start time: a reused pid, so its owner is gone
        Files.writeString(stale.resolve(QemuBackend.OWNER_FILE), ProcessHandle.current().pid() + " 1");

        QemuBackend.deleteStaleWorkDirs(root);

        assertThat(creating).exists();
        assertThat(garbled).exists();
        assertThat(live).exists();
        assertThat(stale).doesNotExist();
    }

    @Test
    void a_missing_binary_is_unavailable_with_the_apt_get_line(@org.junit.jupiter.api.io.TempDir Path dir) {
        QemuBackend missing = QemuBackend.builder()
                .binary(Arch.X86_64, dir.resolve("qemu-system-x86_64"))
                .binary(Arch.AARCH64, dir.resolve("qemu-system-aarch64"))
                .build();
        assertThat(missing.availability(Arch.X86_64).available()).isFalse();
        assertThat(missing.availability(Arch.X86_64).reason())
                .contains(dir.resolve("qemu-system-x86_64").toString())
                .contains("`sudo apt-get install qemu-system-x86`");
        assertThat(missing.availability(Arch.AARCH64).reason()).contains("`sudo apt-get install qemu-system-arm`");
        assertThatThrownBy(() -> missing.start(TestGuests.x86(TestGuests.X86_LOOP, ""), new CapturingConsole()))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("cannot start a x86_64 guest")
                .hasMessageContaining("sudo apt-get install qemu-system-x86");
    }

    @Test
    void qemu_dying_at_startup_is_reported_with_its_stderr(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path fake = dir.resolve("qemu-system-x86_64");
        Files.writeString(fake, "#!/bin/sh\necho 'qemu: simulated failure' >&2\nexit 1\n");
        fake.toFile().setExecutable(true);
        QemuBackend broken = QemuBackend.builder().binary(Arch.X86_64, fake).tcgOnly().build();
        assertThatThrownBy(() -> broken.start(TestGuests.x86(TestGuests.X86_LOOP, ""), new CapturingConsole()))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("QEMU exited with status 1 before it was ready")
                .hasMessageContaining("qemu: simulated failure");
    }

    @Test
    void a_qemu_that_never_opens_its_monitor_fails_the_start_at_its_timeout(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Path fake = dir.resolve("qemu-system-x86_64");
        Files.writeString(fake, "#!/bin/sh\necho 'qemu: simulated hang' >&2\nexec sleep 60\n");
        fake.toFile().setExecutable(true);
        QemuBackend hung = QemuBackend.builder().binary(Arch.X86_64, fake).tcgOnly().startTimeout(Duration.ofSeconds(2)).build();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> hung.start(TestGuests.x86(TestGuests.X86_LOOP, ""), new CapturingConsole()))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("QEMU did not open its QMP monitor within 2 s")
                .hasMessageContaining("qemu: simulated hang");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        assertThat(processesMentioning(dir)).as("processes naming the fake QEMU").isEmpty();
        assertThat(liveThreads()).as("the executor's threads").isEmpty();
    }

    @Test
    void availability_names_the_binary_and_the_accelerator() {
        assumeQemu(Arch.X86_64);
        assertThat(backend.availability(Arch.X86_64).reason()).contains("qemu-system-x86_64").contains("TCG");
    }

    private static List<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("linuxvm-qemu-") && t.isAlive())
                .toList();
    }

    private static List<ProcessHandle> processesMentioning(Path workDir) {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.info().commandLine().map(c -> c.contains(workDir.toString())).orElse(false)).toList();
        }
    }
}
