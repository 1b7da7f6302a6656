package dev.linuxvm.lab;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.junit.ktap.KtapDocument;
import dev.linuxvm.junit.ktap.KtapDynamicTests;
import dev.linuxvm.junit.ktap.KtapParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The KVM lab in every build: our KVM backend boots Debian guests to userspace on real KVM,
 * nested in a QEMU TCG guest (see {@link KvmLab}). Each scenario {@link LabScenarios} runs
 * inside level 1 becomes a JUnit test from its KTAP result; the level-1 and level-2 transcripts
 * are in {@code target/linuxvm/kvm-lab/<arch>/}. Needs only QEMU and apt, which the build
 * machine has, so nothing here skips.
 *
 * <p>Both arches' labs start together: each level 1 mostly keeps one host core busy (its
 * level-2 guest), so on a 2-core machine the two overlap well.
 */
class KvmLabTest {
    /** A whole lab run per arch: 3-5 minutes under TCG on 2 cores with both running. */
    static final Duration TIMEOUT = Duration.ofMinutes(15);

    private static ExecutorService pool;
    private static final Map<Arch, CompletableFuture<KvmLab.Result>> RUNS = new EnumMap<>(Arch.class);

    @BeforeAll
    static void startBoth() {
        pool = Executors.newFixedThreadPool(Arch.values().length, r -> {
            Thread t = new Thread(r, "kvm-lab");
            t.setDaemon(true);
            return t;
        });
        for (Arch arch : Arch.values()) {
            RUNS.put(arch, CompletableFuture.supplyAsync(() -> KvmLab.run(arch, dir(arch), TIMEOUT,
                    line -> System.out.println("kvm-lab " + line)), pool));
        }
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
    }

    @TestFactory
    Stream<DynamicNode> x86_64() {
        return lab(Arch.X86_64);
    }

    @TestFactory
    Stream<DynamicNode> aarch64() {
        return lab(Arch.AARCH64);
    }

    private static Path dir(Arch arch) {
        return Path.of("target", "linuxvm", "kvm-lab", arch.unameMachine());
    }

    private static Stream<DynamicNode> lab(Arch arch) {
        KvmLab.Result run = RUNS.get(arch).join();
        KtapDocument doc = KtapParser.create().parse(run.ktap());
        DynamicNode completed = dynamicTest("level 1 ran every scenario and ended (" + dir(arch) + ", "
                + run.wall().toSeconds() + " s" + (run.retriedAfter() == null ? ""
                : "; second attempt, the first ended with " + run.retriedAfter() + ": transcripts in " + dir(arch) + "-attempt1")
                + ")", () -> {
            assertThat(run.problem()).as("how level 1 ended; transcript in %s", run.level1Log()).isNull();
            assertThat(run.exitStatus()).as("the lab script's status; transcript in %s", run.level1Log()).hasValue(0);
        });
        return Stream.concat(KtapDynamicTests.from(doc), Stream.of(completed));
    }
}
