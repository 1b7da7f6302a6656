package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.backend.Backend.Availability;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.Snapshot;
import dev.linuxvm.engine.backend.VmExit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Snapshot and restore on the QEMU executor with the hand-assembled echo guest
 * ({@link TestGuests#X86_ECHO_UNTIL_Q}, TCG): clones continue the template's program with a
 * fresh console each, outlive it and its snapshot, and misuse fails with a message that says
 * what to do. The Debian guest's shell is snapshotted in the kernels module
 * (QemuSnapshotBootTest).
 */
class QemuSnapshotTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path workRoot; // short: socket paths
    @TempDir
    Path ramRoot;
    private QemuBackend backend;

    @BeforeEach
    void backend() {
        backend = QemuBackend.builder().tcgOnly().workRoot(workRoot).ramRoot(ramRoot).build();
        Availability a = backend.availability(Arch.X86_64);
        assumeTrue(a.available(), a.reason());
    }

    private static void type(RunningVm vm, String text) throws Exception {
        vm.consoleInput().write(text.getBytes(StandardCharsets.US_ASCII));
        vm.consoleInput().flush();
    }

    @Test
    void clones_continue_the_echo_loop_with_their_own_consoles_and_the_template_stays_paused() throws Exception {
        CapturingConsole templateConsole = new CapturingConsole();
        QemuVm template = (QemuVm) backend.startForSnapshot(TestGuests.x86(TestGuests.X86_ECHO_UNTIL_Q, ""), templateConsole);
        try (template) {
            type(template, "t");
            templateConsole.await("t", WAIT);
            long templatePid = template.qemuPid();
            try (QemuSnapshot snapshot = (QemuSnapshot) template.snapshot()) {
                assertThat(snapshot.backend()).isEqualTo("qemu");
                assertThat(snapshot.arch()).isEqualTo(Arch.X86_64);
                assertThat(snapshot.cpus()).isEqualTo(1);
                assertThat(snapshot.ramBytes()).isEqualTo(128 * TestGuests.MIB);
                assertThat(snapshot.stateBytes()).as("x-ignore-shared: RAM is not in the state file")
                        .isPositive().isLessThan(4 * TestGuests.MIB);
                assertThat(ProcessHandle.of(templatePid).filter(ProcessHandle::isAlive))
                        .as("the template's QEMU ends with the snapshot").isEmpty();
                assertThat(template.exit()).as("a snapshotted template has no exit until closed").isEmpty();
                assertThatThrownBy(template::snapshot).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("already snapshotted").hasMessageContaining("restore more guests from that snapshot");

                CapturingConsole one = new CapturingConsole();
                CapturingConsole two = new CapturingConsole();
                try (RunningVm a = backend.restore(snapshot, one); RunningVm b = backend.restore(snapshot, two)) {
                    type(a, "1");
                    type(b, "2");
                    one.await("1", WAIT);
                    two.await("2", WAIT);
                    type(a, "q");
                    assertThat(a.awaitExit(WAIT)).as("clone 1; console '%s'", one.text()).contains(new VmExit.PoweredOff());
                    type(b, "3");
                    two.await("23", WAIT);
                    assertThat(b.exit()).as("clone 2 runs on after clone 1 powered off").isEmpty();
                    assertThat(one.text()).isEqualTo("1q");
                    assertThat(two.text()).isEqualTo("23");
                }
                assertThat(templateConsole.text()).as("the template's console").isEqualTo("t");
            }
        }
        assertThat(template.exit()).contains(new VmExit.Stopped("closed by the host"));
        assertNothingLeft();
    }

    @Test
    void a_clone_outlives_its_template_and_its_snapshot() throws Exception {
        RunningVm template = backend.startForSnapshot(TestGuests.x86(TestGuests.X86_ECHO_UNTIL_Q, ""), new CapturingConsole());
        Snapshot snapshot = template.snapshot();
        template.close();
        CapturingConsole console = new CapturingConsole();
        try (RunningVm clone = backend.restore(snapshot, console)) {
            snapshot.close();
            assertThat(ramRoot).isEmptyDirectory();
            type(clone, "x");
            console.await("x", WAIT); // its RAM is a private mapping of the unlinked file
        }
        assertNothingLeft();
    }

    @Test
    void a_template_closed_without_a_snapshot_deletes_its_ram_file() throws Exception {
        RunningVm template = backend.startForSnapshot(TestGuests.x86(TestGuests.X86_LOOP, ""), new CapturingConsole());
        try (Stream<Path> dirs = Files.list(ramRoot)) {
            assertThat(dirs.toList()).singleElement()
                    .satisfies(d -> assertThat(d.resolve(QemuSnapshot.RAM_FILE)).isRegularFile());
        }
        template.close();
        assertNothingLeft();
    }

    @Test
    void a_failed_save_says_so_and_the_guest_runs_on() throws Exception {
        CapturingConsole console = new CapturingConsole();
        try (RunningVm vm = backend.startForSnapshot(TestGuests.x86(TestGuests.X86_ECHO_UNTIL_Q, ""), console)) {
            try (Stream<Path> dirs = Files.list(ramRoot)) {
                dirs.forEach(QemuVm::deleteTree); // the state file cannot be created: cat fails, so does the migration
            }
            assertThatThrownBy(vm::snapshot).isInstanceOf(QemuException.class)
                    .hasMessageContaining("saving the snapshot to").hasMessageContaining("failed");
            type(vm, "r");
            console.await("r", WAIT);
            assertThat(vm.exit()).isEmpty();
        }
        assertNothingLeft();
    }

    @Test
    void a_guest_started_without_snapshot_support_says_how_to_get_it() throws Exception {
        try (RunningVm vm = backend.start(TestGuests.x86(TestGuests.X86_LOOP, ""), new CapturingConsole())) {
            assertThatThrownBy(vm::snapshot).isInstanceOf(QemuException.class)
                    .hasMessageContaining("cannot be snapshotted").hasMessageContaining("anonymous memory")
                    .hasMessageContaining("startForSnapshot");
            assertThat(vm.exit()).as("the failed snapshot leaves the guest running").isEmpty();
        }
    }

    @Test
    void a_snapshot_cannot_be_restored_once_closed_nor_by_another_backend() throws Exception {
        try (RunningVm vm = backend.startForSnapshot(TestGuests.x86(TestGuests.X86_LOOP, ""), new CapturingConsole())) {
            Snapshot snapshot = vm.snapshot();
            snapshot.close();
            assertThatThrownBy(() -> backend.restore(snapshot, new CapturingConsole()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
        Snapshot foreign = new Snapshot() {
            public String backend() {
                return "kvm";
            }

            public Arch arch() {
                return Arch.X86_64;
            }

            public int cpus() {
                return 1;
            }

            public long ramBytes() {
                return 0;
            }

            public void close() {
            }
        };
        assertThatThrownBy(() -> backend.restore(foreign, new CapturingConsole()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("restores its own snapshots");
        assertNothingLeft();
    }

    private void assertNothingLeft() throws Exception {
        assertThat(workRoot).as("work directories and sockets").isEmptyDirectory();
        assertThat(ramRoot).as("RAM files and snapshots").isEmptyDirectory();
        assertThat(QemuCycleLeakTest.processesNaming(workRoot)).as("processes naming %s", workRoot).isEmpty();
        assertThat(QemuCycleLeakTest.processesNaming(ramRoot)).as("processes naming %s", ramRoot).isEmpty();
    }
}
