package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.Snapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.linuxvm.engine.kvm.SmokeGuests.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Snapshot and restore of a running hand-assembled guest ({@link SmokeGuests#COUNT_FOREVER}):
 * every clone continues the template's count from the next letter, clones do not see each
 * other's RAM writes, and the paused template's state is untouched by them. Runs where
 * /dev/kvm works (PVM included).
 */
@EnabledIfKvm
class KvmSnapshotTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    private static void assumeX86Host() {
        assumeTrue(Arch.host() == Arch.X86_64, "the hand-assembled guests are x86_64; this host is " + Arch.host());
    }

    /** Waits until {@code console} holds at least {@code n} bytes; fails quoting it. */
    static String awaitOutput(KvmSmokeTest.Console console, int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (console.text().length() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + n + " console bytes within " + WAIT + "; console: \""
                        + console.text() + "\"");
            }
            Thread.sleep(5);
        }
        return console.text();
    }

    /** The letters COUNT_FOREVER prints after having printed {@code last}. */
    static String continuation(char last, int n) {
        StringBuilder b = new StringBuilder();
        char c = last;
        for (int i = 0; i < n; i++) {
            c = (char) ('A' + ((c - 'A' + 1) & 15));
            b.append(c);
        }
        return b.toString();
    }

    @Test
    void clones_continue_the_count_where_the_template_was_paused() throws Exception {
        assumeX86Host();
        KvmBackend kvm = new KvmBackend();
        KvmSmokeTest.Console template = new KvmSmokeTest.Console();
        try (RunningVm vm = kvm.startForSnapshot(x86Guest(COUNT_FOREVER), template)) {
            awaitOutput(template, 5);
            try (Snapshot snapshot = vm.snapshot()) {
                String before = template.text();
                assertThat(snapshot.arch()).isEqualTo(Arch.X86_64);
                assertThat(snapshot.cpus()).isEqualTo(1);
                assertThat(snapshot.ramBytes()).isEqualTo(RAM);
                char last = before.charAt(before.length() - 1);
                for (int clone = 1; clone <= 2; clone++) {
                    KvmSmokeTest.Console console = new KvmSmokeTest.Console();
                    try (RunningVm c = kvm.restore(snapshot, console)) {
                        String out = awaitOutput(console, 20);
                        assertThat(out).as("clone %d after the template printed \"%s\"", clone, before)
                                .startsWith(continuation(last, 20));
                        assertThat(c.exit()).isEmpty();
                    }
                }
                Thread.sleep(100);
                assertThat(template.text()).as("the template stays paused").isEqualTo(before);
                assertThat(vm.exit()).as("a paused template has no exit").isEmpty();

                // The clones wrote the counter 20 times each; a second snapshot of the paused
                // template still continues from the template's count: their writes were private.
                try (Snapshot again = vm.snapshot()) {
                    KvmSmokeTest.Console console = new KvmSmokeTest.Console();
                    try (RunningVm c = kvm.restore(again, console)) {
                        assertThat(awaitOutput(console, 10)).startsWith(continuation(last, 10));
                    }
                }
            }
        }
    }

    @Test
    void a_clone_outlives_its_template_and_its_snapshot() throws Exception {
        assumeX86Host();
        KvmBackend kvm = new KvmBackend();
        KvmSmokeTest.Console template = new KvmSmokeTest.Console();
        RunningVm vm = kvm.startForSnapshot(x86Guest(COUNT_FOREVER), template);
        awaitOutput(template, 3);
        Snapshot snapshot = vm.snapshot();
        vm.close();
        char last = template.text().charAt(template.text().length() - 1);
        KvmSmokeTest.Console console = new KvmSmokeTest.Console();
        try (RunningVm c = kvm.restore(snapshot, console)) {
            snapshot.close();
            assertThat(awaitOutput(console, 10)).startsWith(continuation(last, 10));
        }
    }

    @Test
    void a_guest_started_without_snapshot_support_says_how_to_get_it() throws Exception {
        assumeX86Host();
        try (RunningVm vm = new KvmBackend().start(x86Guest(COUNT_FOREVER), new KvmSmokeTest.Console())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(vm::snapshot)
                    .isInstanceOf(KvmException.class)
                    .hasMessageContaining("not memfd-backed").hasMessageContaining("startForSnapshot");
        }
    }

    @Test
    void a_snapshot_cannot_be_restored_once_closed() throws Exception {
        assumeX86Host();
        KvmBackend kvm = new KvmBackend();
        try (RunningVm vm = kvm.startForSnapshot(x86Guest(COUNT_FOREVER), new KvmSmokeTest.Console())) {
            Snapshot snapshot = vm.snapshot();
            snapshot.close();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> kvm.restore(snapshot, new KvmSmokeTest.Console()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }
}
