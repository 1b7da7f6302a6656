package dev.linuxvm.junit;

import static dev.linuxvm.junit.LinuxVmAssertions.assertThat;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.linuxvm.engine.launch.BootMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension under JUnit's parallel execution, with {@link FakeLauncher} guests: the guest
 * limit, per-class guests, matrices and report directories.
 */
class ParallelGuestsTest {
    /** More JUnit threads than guests may run, so the guest limit is what holds them back. */
    private static final int JUNIT_THREADS = 6;

    @TempDir
    Path reports;

    @BeforeEach
    void reset() {
        FakeLauncher.reset();
        Busy.reset();
    }

    private Events runParallel(int maxGuests, Class<?>... samples) {
        var kit = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", Integer.toString(JUNIT_THREADS))
                .configurationParameter(LinuxVmExtension.REPORT_DIR_PROPERTY, reports.toString())
                .configurationParameter(GuestLauncher.LAUNCHER_PROPERTY, FakeLauncher.class.getName())
                .configurationParameter(LinuxVmExtension.MAX_PARALLEL_GUESTS_PROPERTY, Integer.toString(maxGuests))
                .outputDirectoryCreator(new TestOutputDirectories(reports.resolve("junit-output")));
        for (Class<?> sample : samples) {
            kit.selectors(selectClass(sample));
        }
        return kit.execute().testEvents();
    }

    private Properties summary(Class<?> sample, String method) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(reports.resolve(GuestSession.safeFileName(sample.getName()))
                .resolve(method).resolve(GuestSession.SUMMARY_FILE))) {
            p.load(in);
        }
        return p;
    }

    /** Counts test bodies running at once, per key (a class), and holds each one for a moment. */
    static final class Busy {
        static final Map<String, AtomicInteger> NOW = new ConcurrentHashMap<>();
        static final Map<String, AtomicInteger> MOST = new ConcurrentHashMap<>();
        static final Set<String> THREADS = ConcurrentHashMap.newKeySet();
        /** Holders at once that {@link #hold} waits for, by key, before it holds: see {@link #expect}. */
        static final Map<String, Integer> EXPECTED = new ConcurrentHashMap<>();
        /** Notified, under its lock, whenever a holder has come in and {@link #MOST} may have grown. */
        private static final Object ENTERED = new Object();

        static void reset() {
            NOW.clear();
            MOST.clear();
            THREADS.clear();
            EXPECTED.clear();
        }

        /**
         * Tests that must see guests overlap say how many holders of {@code key} must have been in at
         * once before any holder goes on: a fixed sleep alone fails on a loaded machine, where the
         * second guest may start after the first one's sleep has ended. When they never come
         * together (the guests ran one after another), holders go on after 10 s and the test's
         * check of {@link #most} fails.
         */
        static void expect(String key, int together) {
            EXPECTED.put(key, together);
        }

        /** Waits for what {@link #expect} asked (at most 10 s), then holds for 150 ms. */
        static void hold(String key) {
            THREADS.add(key + "@" + Thread.currentThread().getName());
            int now = NOW.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            long deadline = System.nanoTime() + 10_000_000_000L;
            try {
                synchronized (ENTERED) {
                    MOST.computeIfAbsent(key, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
                    ENTERED.notifyAll();
                    long left;
                    while (!EXPECTED.entrySet().stream().allMatch(e -> most(e.getKey()) >= e.getValue())
                            && (left = deadline - System.nanoTime()) > 0) {
                        ENTERED.wait(Math.max(1, left / 1_000_000));
                    }
                }
                Thread.sleep(150);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                NOW.get(key).decrementAndGet();
            }
        }

        static int most(String key) {
            return MOST.getOrDefault(key, new AtomicInteger()).get();
        }
    }

    // ---- samples ------------------------------------------------------------------------------

    @LinuxVm(arch = GuestArch.X86_64)
    static class FiveGuests {
        @Test
        void one(SerialConsole console) {
            assertThat(console.exec("echo one")).succeeded().hasOutput("one");
            Busy.hold("guests");
        }

        @Test
        void two(SerialConsole console) {
            assertThat(console.exec("echo two")).succeeded().hasOutput("two");
            Busy.hold("guests");
        }

        @Test
        void three(SerialConsole console) {
            assertThat(console.exec("echo three")).succeeded().hasOutput("three");
            Busy.hold("guests");
        }

        @Test
        void four(SerialConsole console) {
            assertThat(console.exec("echo four")).succeeded().hasOutput("four");
            Busy.hold("guests");
        }

        @Test
        void five(SerialConsole console) {
            assertThat(console.exec("echo five")).succeeded().hasOutput("five");
            Busy.hold("guests");
        }
    }

    @Test
    void no_more_guests_run_at_once_than_the_limit_and_the_others_wait_for_a_slot() throws IOException {
        Busy.expect("guests", 2);
        runParallel(2, FiveGuests.class).assertStatistics(s -> s.started(5).succeeded(5));

        assertThat(FakeLauncher.VMS).hasSize(5).allSatisfy(vm -> assertThat(vm.closed()).isTrue());
        assertThat(FakeLauncher.PEAK.get()).as("guests running at once").isEqualTo(2);
        assertThat(FakeLauncher.RUNNING.get()).isZero();
        long waited = 0;
        for (String m : List.of("one", "two", "three", "four", "five")) {
            Properties summary = summary(FiveGuests.class, m);
            assertThat(summary.getProperty("parallel.limit")).isEqualTo("2");
            assertThat(summary.getProperty("timeout.scale")).isEqualTo(TimeoutScale.forBackend("fake")
                    .withParallelGuests(2, Runtime.getRuntime().availableProcessors()).describe());
            waited += Long.parseLong(summary.getProperty("slot.wait.ms"));
        }
        assertThat(waited).as("some guests waited for a slot").isPositive();
    }

    @Test
    void with_a_limit_of_one_guests_run_one_after_another() {
        runParallel(1, FiveGuests.class).assertStatistics(s -> s.started(5).succeeded(5));
        assertThat(FakeLauncher.PEAK.get()).isEqualTo(1);
        assertThat(Busy.most("guests")).isEqualTo(1);
    }

    @LinuxVm(arch = GuestArch.AARCH64, lifecycle = Lifecycle.PER_CLASS)
    static class SharedGuestA {
        @Test
        void first(SerialConsole console) {
            assertThat(console.exec("echo a1")).succeeded().hasOutput("a1");
            Busy.hold("A");
        }

        @Test
        void second(SerialConsole console) {
            assertThat(console.exec("echo a2")).succeeded().hasOutput("a2");
            Busy.hold("A");
        }

        @Test
        void third(SerialConsole console) {
            assertThat(console.exec("echo a3")).succeeded().hasOutput("a3");
            Busy.hold("A");
        }
    }

    @LinuxVm(arch = GuestArch.X86_64, lifecycle = Lifecycle.PER_CLASS)
    static class SharedGuestB {
        @Test
        void first(SerialConsole console) {
            assertThat(console.exec("echo b1")).succeeded().hasOutput("b1");
            Busy.hold("B");
        }

        @Test
        void second(SerialConsole console) {
            assertThat(console.exec("echo b2")).succeeded().hasOutput("b2");
            Busy.hold("B");
        }
    }

    @Test
    void the_methods_of_a_per_class_guest_take_turns_while_classes_run_side_by_side() {
        Busy.expect("A", 1);
        Busy.expect("B", 1);
        runParallel(2, SharedGuestA.class, SharedGuestB.class).assertStatistics(s -> s.started(5).succeeded(5));

        assertThat(FakeLauncher.VMS).hasSize(2);
        assertThat(Busy.most("A")).as("SharedGuestA's methods at once").isEqualTo(1);
        assertThat(Busy.most("B")).as("SharedGuestB's methods at once").isEqualTo(1);
        assertThat(Busy.THREADS).as("each class runs its methods in one thread")
                .filteredOn(t -> t.startsWith("A@")).hasSize(1);
        assertThat(FakeLauncher.PEAK.get()).as("the two classes' guests ran at once").isEqualTo(2);
    }

    @LinuxVm(arch = GuestArch.AARCH64, lifecycle = Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class OwnGuestInsideASharedOne {
        @Test
        @Order(1)
        void onTheSharedGuest(SerialConsole console) {
            assertThat(console.exec("uname -m")).succeeded().hasOutput("aarch64");
        }

        @Test
        @Order(2)
        @LinuxVm(arch = GuestArch.X86_64)
        void onItsOwnGuest(SerialConsole console) {
            assertThat(console.exec("uname -m")).succeeded().hasOutput("x86_64");
        }
    }

    @Test
    void a_method_guest_inside_a_per_class_guest_shares_its_slot_so_a_limit_of_one_cannot_deadlock() throws IOException {
        assertTimeoutPreemptively(ofSeconds(30), () -> runParallel(1, OwnGuestInsideASharedOne.class)
                .assertStatistics(s -> s.started(2).succeeded(2)));
        assertThat(FakeLauncher.VMS).hasSize(2);
        assertThat(summary(OwnGuestInsideASharedOne.class, "onItsOwnGuest").getProperty("slot.shared")).isEqualTo("true");
    }

    @LinuxVm(arch = GuestArch.AARCH64)
    static class Matrix {
        @BootMatrix(modes = {BootMode.ACPI, BootMode.DEVICE_TREE})
        void firmware(SerialConsole console, LinuxVmHandle vm, BootMode mode) {
            assertThat(console.exec("uname -m")).succeeded().hasOutput("aarch64");
            assertThat(vm.artifacts()).containsKey(mode == BootMode.ACPI ? "DSDT.aml" : "guest.dtb");
            Busy.hold("matrix");
        }
    }

    @Test
    void matrix_entries_boot_in_parallel_into_their_own_report_directories() throws IOException {
        Busy.expect("matrix", 2);
        runParallel(2, Matrix.class).assertStatistics(s -> s.started(2).succeeded(2));

        assertThat(Busy.most("matrix")).as("matrix entries at once").isEqualTo(2);
        assertThat(summary(Matrix.class, "firmware[aarch64,acpi]").getProperty("mode")).isEqualTo("acpi");
        assertThat(summary(Matrix.class, "firmware[aarch64,device-tree]").getProperty("mode")).isEqualTo("device-tree");
    }

    @LinuxVm(arch = GuestArch.X86_64)
    static class Repeated {
        @RepeatedTest(3)
        void again(SerialConsole console) {
            assertThat(console.exec("echo again")).succeeded().hasOutput("again");
            Busy.hold("repeated");
        }
    }

    @Test
    void invocations_of_a_repeated_test_get_a_report_directory_each() throws IOException {
        Busy.expect("repeated", 2);
        runParallel(3, Repeated.class).assertStatistics(s -> s.started(3).succeeded(3));

        for (int i = 1; i <= 3; i++) {
            assertThat(summary(Repeated.class, "again[" + i + "]").getProperty("exit")).isEqualTo("stopped: closed by the test");
        }
        assertThat(Busy.most("repeated")).isGreaterThan(1);
    }

    @Test
    void the_limit_is_a_positive_whole_number() {
        runParallel(0, FiveGuests.class).assertThatEvents().haveExactly(5, event(test(), finishedWithFailure(
                instanceOf(ExtensionConfigurationException.class),
                message("linuxvm.maxParallelGuests=0: at least 1 guest must be able to run"))));
        assertThat(FakeLauncher.VMS).isEmpty();
    }

    @Test
    void a_report_directory_belongs_to_one_running_guest() {
        GuestSlots slots = new GuestSlots(2, 2);
        GuestSlots.Slot first = slots.acquire(reports.resolve("C/m"), false);
        assertThatThrownBy(() -> slots.acquire(reports.resolve("C/./m"), false))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("report directory " + reports.resolve("C/m") + " belongs to a guest that is still running");
        first.close();
        first.close(); // once only: a second close must not free a second permit
        try (GuestSlots.Slot again = slots.acquire(reports.resolve("C/m"), false);
             GuestSlots.Slot other = slots.acquire(reports.resolve("C/n"), false)) {
            assertThat(again.shared()).isFalse();
            assertThat(other.waitedMillis()).isLessThan(1000);
        }
    }

    @Test
    void timeouts_scale_up_only_when_more_guests_may_run_than_there_are_cores() {
        TimeoutScale tcg = TimeoutScale.forBackend("qemu-tcg");
        assertThat(tcg.withParallelGuests(2, 2)).isSameAs(tcg);
        assertThat(tcg.withParallelGuests(1, 2)).isSameAs(tcg);
        TimeoutScale crowded = tcg.withParallelGuests(4, 2);
        assertThat(crowded.factor()).isEqualTo(8.0);
        assertThat(crowded.apply(ofSeconds(30))).isEqualTo(ofSeconds(240));
        assertThat(crowded.describe()).isEqualTo("×8 for qemu-tcg (4 parallel guests on 2 cores)");
        assertThat(TimeoutScale.forBackend("kvm").withParallelGuests(3, 2).describe())
                .isEqualTo("×1.5 for kvm (3 parallel guests on 2 cores)");
    }
}
