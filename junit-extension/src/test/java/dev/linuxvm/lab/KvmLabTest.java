package dev.linuxvm.lab;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.junit.ktap.KtapDocument;
import dev.linuxvm.junit.ktap.KtapDynamicTests;
import dev.linuxvm.junit.ktap.KtapParser;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The KVM lab in every build: our KVM backend boots Debian guests to userspace on real KVM,
 * nested in a QEMU TCG guest (see {@link KvmLab}). Each scenario {@link LabScenarios} runs
 * inside level 1 becomes a JUnit test from its KTAP result; the level-1 and level-2 transcripts
 * are in {@code target/linuxvm/kvm-lab/<arch>/}. Needs only QEMU and apt, which the build
 * machine has, so nothing here skips.
 */
class KvmLabTest {
    /** A whole lab run per arch; the scenarios take 2-4 minutes under TCG on 2 cores. */
    static final Duration TIMEOUT = Duration.ofMinutes(10);

    @TestFactory
    Stream<DynamicNode> x86_64() {
        return lab(Arch.X86_64);
    }

    @TestFactory
    Stream<DynamicNode> aarch64() {
        return lab(Arch.AARCH64);
    }

    private static Stream<DynamicNode> lab(Arch arch) {
        Path dir = Path.of("target", "linuxvm", "kvm-lab", arch.unameMachine());
        KvmLab.Result run = KvmLab.run(arch, dir, TIMEOUT, line -> System.out.println("kvm-lab " + line));
        KtapDocument doc = KtapParser.create().parse(run.ktap());
        DynamicNode completed = dynamicTest("level 1 ran every scenario and ended (" + dir + ")", () -> {
            assertThat(run.problem()).as("how level 1 ended; transcript in %s", run.level1Log()).isNull();
            assertThat(run.exitStatus()).as("the lab script's status; transcript in %s", run.level1Log()).hasValue(0);
        });
        return Stream.concat(KtapDynamicTests.from(doc), Stream.of(completed));
    }
}
