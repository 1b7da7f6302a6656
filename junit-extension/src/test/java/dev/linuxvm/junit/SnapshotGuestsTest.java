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
    static class ThreeMethods {
        @Test
        @Order(1)
        void first(SerialConsole console) {
            SEEN.put("first.file", console.exec("echo first > /root/first-was-here; cat /root/first-was-here").output());
        }

        @Test
        @Order(2)
        void second(SerialConsole console) {
            SEEN.put("second.file", console.exec("echo second > /root/second-was-here; insmod /nonexistent 2>/dev/null; "
                    + "cat /root/first-was-here 2>&1 || echo absent").output());
        }

        @Test
        @Order(3)
        void third(SerialConsole console) {
            SEEN.put("third.transcript", console.text());
            SEEN.put("third.file", console.exec("cat /root/second-was-here 2>&1 || echo absent").output());
            long before = System.currentTimeMillis();
            String guest = console.exec("date +%s").output();
            long after = System.currentTimeMillis();
            SEEN.put("third.clock", before + " " + guest + " " + after);
        }
    }

    @Test
    void later_methods_of_a_class_get_private_clones_with_the_boot_transcript_and_the_hosts_time() throws IOException {
        run(ThreeMethods.class, null);
        assertThat(SEEN.get("first.file")).isEqualTo("first");
        assertThat(SEEN.get("second.file")).as("the second guest's /root").endsWith("absent");
        assertThat(SEEN.get("third.file")).as("the third guest's /root").endsWith("absent");
        Properties first = summary(ThreeMethods.class, "first");
        Properties second = summary(ThreeMethods.class, "second");
        Properties third = summary(ThreeMethods.class, "third");
        assertThat(first.getProperty("snapshot")).isEqualTo("cold boot: " + GuestSession.FIRST_OF_ITS_CONFIGURATION);
        assertThat(second.getProperty("snapshot")).isEqualTo("restored from snapshot");
        assertThat(third.getProperty("snapshot")).isEqualTo("restored from snapshot");
        assertThat(third.getProperty("snapshot.template.report")).endsWith("second");
        assertThat(Long.parseLong(third.getProperty("snapshot.restore.ms"))).isPositive();
        assertThat(Long.parseLong(third.getProperty("snapshot.template.boot.ms"))).isPositive();
        String transcript = SEEN.get("third.transcript");
        assertThat(transcript).as("the clone's console starts with the template's boot")
                .contains(GuestInitramfs.READY_MARKER, "Linux version")
                .doesNotContain("second-was-here", "/dev/urandom", "date -s");
        String[] clock = SEEN.get("third.clock").split(" ");
        long guest = Long.parseLong(clock[1]);
        System.out.printf("snapshot clock: host %d..%d ms, guest %d s; restore %s ms, template boot %s ms, idle %s ms%n",
                Long.parseLong(clock[0]), Long.parseLong(clock[2]), guest, third.getProperty("snapshot.restore.ms"),
                third.getProperty("snapshot.template.boot.ms"), second.getProperty("snapshot.template.idle.ms"));
        // `date +%s` truncates: within 1 s of the host means floor(host) - 1 .. host end
        assertThat(guest).as("the clone's clock, host %s..%s ms", clock[0], clock[2])
                .isBetween(Long.parseLong(clock[0]) / 1000 - 1, Long.parseLong(clock[2]) / 1000 + 1);
        String thirdConsole = Files.readString(reports.resolve(GuestSession.safeFileName(ThreeMethods.class.getName()))
                .resolve("third").resolve(GuestSession.LOG_FILE));
        assertThat(thirdConsole).contains(GuestInitramfs.READY_MARKER);
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
        @RepeatedTest(21) // the first boots cold, the next is the template's, 20 are clones
        void uuid(SerialConsole console) {
            UUIDS.add(console.exec("cat /proc/sys/kernel/random/uuid").output());
        }
    }

    @LinuxVm(arch = GuestArch.AARCH64)
    static class Aarch64Uuids {
        @RepeatedTest(21) // the first boots cold, the next is the template's, 20 are clones
        void uuid(SerialConsole console) {
            UUIDS.add(console.exec("cat /proc/sys/kernel/random/uuid").output());
        }
    }

    @Test
    void twenty_clones_print_twenty_different_uuids() {
        run(Uuids.class, null);
        System.out.println("snapshot uuids (host arch): " + UUIDS);
        assertThat(UUIDS).hasSize(21).doesNotHaveDuplicates();
    }

    @Test
    void twenty_aarch64_clones_print_twenty_different_uuids() {
        run(Aarch64Uuids.class, null);
        System.out.println("snapshot uuids (aarch64): " + UUIDS);
        assertThat(UUIDS).hasSize(21).doesNotHaveDuplicates();
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
        }

        @Test
        @Order(2)
        void second(SerialConsole console) {
            SEEN.put("second", console.exec("echo up-2").output());
            SEEN.put("second.readyCount", Integer.toString(console.text().split(GuestInitramfs.READY_MARKER, -1).length - 1));
        }

        @Test
        @Order(3)
        void third(SerialConsole console) {
            SEEN.put("third", console.exec("echo up-3").output());
        }
    }

    @Test
    void a_failed_restore_boots_cold_and_says_why() throws IOException {
        run(RestoreFails.class, RefusingRestores.class.getName());
        assertThat(SEEN).containsEntry("first", "up-1").containsEntry("second", "up-2").containsEntry("third", "up-3")
                .containsEntry("second.readyCount", "1");
        assertThat(summary(RestoreFails.class, "first").getProperty("snapshot"))
                .isEqualTo("cold boot: " + GuestSession.FIRST_OF_ITS_CONFIGURATION);
        assertThat(summary(RestoreFails.class, "second").getProperty("snapshot"))
                .isEqualTo("cold boot: the restore failed: test: restores refused");
        assertThat(summary(RestoreFails.class, "third").getProperty("snapshot"))
                .isEqualTo("cold boot: the restore failed: test: restores refused");
        assertThat(reports.resolve(GuestSession.safeFileName(RestoreFails.class.getName())).resolve("second").resolve(GuestSession.TEMPLATE_LOG_FILE)).exists();
    }
}
