package dev.linuxvm.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.Snapshot;
import dev.linuxvm.kernels.GuestInitramfs;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Issue #9 part 1 with real guests on this host's executor: guests restored from a snapshot
 * template are private copies, say so in their report, keep the template's boot transcript, get
 * the host's time and fresh randomness; {@code snapshot = false} boots cold; a restore that fails
 * falls back to a cold boot that says why.
 */
class SnapshotGuestsTest {
    /** What the sample tests saw, by test name. */
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();
    static final List<String> UUIDS = new CopyOnWriteArrayList<>();

    @TempDir
    Path reports;

    private EngineExecutionResults run(Class<?> sample, String launcher) {
        SEEN.clear();
        UUIDS.clear();
        var kit = EngineTestKit.engine("junit-jupiter")
                .configurationParameter(LinuxVmExtension.REPORT_DIR_PROPERTY, reports.toString())
                .outputDirectoryCreator(new TestOutputDirectories(reports.resolve("junit-output")));
        if (launcher != null) {
            kit = kit.configurationParameter(GuestLauncher.LAUNCHER_PROPERTY, launcher);
        }
        EngineExecutionResults results = kit.selectors(selectClass(sample)).execute();
        results.testEvents().assertStatistics(s -> s.failed(0).aborted(0));
        return results;
    }

    private Properties summary(Class<?> sample, String method) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(reports.resolve(GuestSession.safeFileName(sample.getName())).resolve(method)
                .resolve(GuestSession.SUMMARY_FILE), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    @LinuxVm
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class TwoMethods {
        @Test
        @Order(1)
        void first(SerialConsole console) {
            SEEN.put("first.file", console.exec("echo first > /root/first-was-here; insmod /nonexistent 2>/dev/null; cat /root/first-was-here").output());
        }

        @Test
        @Order(2)
        void second(SerialConsole console) {
            SEEN.put("second.transcript", console.text());
            SEEN.put("second.file", console.exec("cat /root/first-was-here 2>&1 || echo absent").output());
            long before = System.currentTimeMillis();
            String guest = console.exec("date +%s").output();
            long after = System.currentTimeMillis();
            SEEN.put("second.clock", before + " " + guest + " " + after);
        }
    }

    @Test
    void the_methods_of_a_class_get_private_clones_with_the_boot_transcript_and_the_hosts_time() throws IOException {
        run(TwoMethods.class, null);
        assertThat(SEEN.get("first.file")).isEqualTo("first");
        assertThat(SEEN.get("second.file")).as("the second clone's /root").endsWith("absent");
        Properties first = summary(TwoMethods.class, "first");
        Properties second = summary(TwoMethods.class, "second");
        assertThat(first.getProperty("snapshot")).isEqualTo("restored from snapshot");
        assertThat(second.getProperty("snapshot")).isEqualTo("restored from snapshot");
        assertThat(second.getProperty("snapshot.template.report")).endsWith("first");
        assertThat(Long.parseLong(second.getProperty("snapshot.restore.ms"))).isPositive();
        assertThat(Long.parseLong(second.getProperty("snapshot.template.boot.ms"))).isPositive();
        String transcript = SEEN.get("second.transcript");
        assertThat(transcript).as("the clone's console starts with the template's boot")
                .contains(GuestInitramfs.READY_MARKER, "Linux version")
                .doesNotContain("first-was-here", "/dev/urandom", "date -s");
        String[] clock = SEEN.get("second.clock").split(" ");
        long guest = Long.parseLong(clock[1]);
        System.out.printf("snapshot clock: host %d..%d ms, guest %d s; restore %s ms, template boot %s ms%n",
                Long.parseLong(clock[0]), Long.parseLong(clock[2]), guest, second.getProperty("snapshot.restore.ms"),
                second.getProperty("snapshot.template.boot.ms"));
        // `date +%s` truncates: within 1 s of the host means floor(host) - 1 .. host end
        assertThat(guest).as("the clone's clock, host %s..%s ms", clock[0], clock[2])
                .isBetween(Long.parseLong(clock[0]) / 1000 - 1, Long.parseLong(clock[2]) / 1000 + 1);
        String firstConsole = Files.readString(reports.resolve(GuestSession.safeFileName(TwoMethods.class.getName())).resolve("second").resolve(GuestSession.LOG_FILE));
        assertThat(firstConsole).contains(GuestInitramfs.READY_MARKER);
    }

    @LinuxVm(snapshot = false)
    static class Cold {
        @Test
        void cold(SerialConsole console) {
            SEEN.put("cold", console.exec("echo up").output());
        }
    }

    @Test
    void snapshot_false_boots_cold_and_says_so() throws IOException {
        run(Cold.class, null);
        assertThat(SEEN.get("cold")).isEqualTo("up");
        assertThat(summary(Cold.class, "cold").getProperty("snapshot")).isEqualTo("cold boot: @LinuxVm(snapshot = false)");
    }

    @LinuxVm
    static class Uuids {
        @RepeatedTest(20)
        void uuid(SerialConsole console) {
            UUIDS.add(console.exec("cat /proc/sys/kernel/random/uuid").output());
        }
    }

    @LinuxVm(arch = GuestArch.AARCH64)
    static class Aarch64Uuids {
        @RepeatedTest(20)
        void uuid(SerialConsole console) {
            UUIDS.add(console.exec("cat /proc/sys/kernel/random/uuid").output());
        }
    }

    @Test
    void twenty_clones_print_twenty_different_uuids() {
        run(Uuids.class, null);
        System.out.println("snapshot uuids (host arch): " + UUIDS);
        assertThat(UUIDS).hasSize(20).doesNotHaveDuplicates();
    }

    @Test
    void twenty_aarch64_clones_print_twenty_different_uuids() {
        run(Aarch64Uuids.class, null);
        System.out.println("snapshot uuids (aarch64): " + UUIDS);
        assertThat(UUIDS).hasSize(20).doesNotHaveDuplicates();
    }

    /** The engine's launcher, whose restores fail. */
    public static final class RefusingRestores implements GuestLauncher {
        private final EngineGuestLauncher engine = new EngineGuestLauncher();

        @Override
        public dev.linuxvm.engine.backend.Backend.Availability availability(VmSpec spec) {
            return engine.availability(spec);
        }

        @Override
        public LaunchedGuest launch(VmSpec spec, ConsoleListener console) {
            return engine.launch(spec, console);
        }

        @Override
        public java.util.Optional<String> snapshotKey(VmSpec spec) {
            return engine.snapshotKey(spec);
        }

        @Override
        public LaunchedGuest launchForSnapshot(VmSpec spec, ConsoleListener console) {
            return engine.launchForSnapshot(spec, console);
        }

        @Override
        public RunningVm restore(VmSpec spec, Snapshot snapshot, ConsoleListener console) {
            throw new UnsupportedOperationException("test: restores refused");
        }
    }

    @LinuxVm
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class RestoreFails {
        @Test
        @Order(1)
        void first(SerialConsole console) {
            SEEN.put("first", console.exec("echo up-1").output());
            SEEN.put("first.readyCount", Integer.toString(console.text().split(GuestInitramfs.READY_MARKER, -1).length - 1));
        }

        @Test
        @Order(2)
        void second(SerialConsole console) {
            SEEN.put("second", console.exec("echo up-2").output());
        }
    }

    @Test
    void a_failed_restore_boots_cold_and_says_why() throws IOException {
        run(RestoreFails.class, RefusingRestores.class.getName());
        assertThat(SEEN).containsEntry("first", "up-1").containsEntry("second", "up-2").containsEntry("first.readyCount", "1");
        assertThat(summary(RestoreFails.class, "first").getProperty("snapshot"))
                .isEqualTo("cold boot: the restore failed: test: restores refused");
        assertThat(summary(RestoreFails.class, "second").getProperty("snapshot"))
                .isEqualTo("cold boot: the restore failed: test: restores refused");
        assertThat(reports.resolve(GuestSession.safeFileName(RestoreFails.class.getName())).resolve("first").resolve(GuestSession.TEMPLATE_LOG_FILE)).exists();
    }
}
