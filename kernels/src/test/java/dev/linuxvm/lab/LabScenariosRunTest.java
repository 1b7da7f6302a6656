package dev.linuxvm.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.linuxvm.engine.Arch;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** {@link LabScenarios#runAll}: a lost guest gets one more attempt, in plain view; nothing else does. */
class LabScenariosRunTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final LabScenarios lab = new LabScenarios(Arch.X86_64, Path.of("unused"), new byte[0],
            new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static LabScenarios.Scenario failingFirst(String id, AtomicInteger runs, LabFailure first) {
        return new LabScenarios.Scenario(id, id + " works", () -> {
            if (runs.incrementAndGet() == 1) {
                throw first;
            }
            return List.of("figure " + runs.get());
        });
    }

    @Test
    void a_guest_lost_once_passes_on_its_second_attempt_and_says_so() {
        AtomicInteger runs = new AtomicInteger();
        LabFailure lost = LabFailure.guestLost("the guest ended (reset) before printing \"ready\"", List.of("[ 9.5] UDP-Lite"));

        boolean all = lab.runAll(List.of(failingFirst("boot", runs, lost)));

        assertThat(all).isTrue();
        assertThat(runs).hasValue(2);
        assertThat(printed()).contains("# first attempt lost its guest (the guest ended (reset) before printing \"ready\")",
                "#   [ 9.5] UDP-Lite", "# figure 2", "ok 1 boot works [second attempt]");
        assertThat(printed()).doesNotContain("FAILED");
    }

    @Test
    void a_guest_lost_twice_fails() {
        AtomicInteger runs = new AtomicInteger();
        LabScenarios.Scenario always = new LabScenarios.Scenario("boot", "boot works", () -> {
            runs.incrementAndGet();
            throw LabFailure.guestLost("no \"ready\" within 240 s", List.of("last line"));
        });

        assertThat(lab.runAll(List.of(always))).isFalse();
        assertThat(runs).hasValue(2);
        assertThat(printed()).contains("# FAILED: no \"ready\" within 240 s", "not ok 1 boot works [second attempt]");
    }

    @Test
    void any_other_failure_gets_no_second_attempt() {
        AtomicInteger runs = new AtomicInteger();
        LabFailure wrong = new LabFailure("MemTotal 100 kB for 512 MiB of guest RAM", List.of());

        assertThat(lab.runAll(List.of(failingFirst("ram", runs, wrong)))).isFalse();
        assertThat(runs).hasValue(1);
        assertThat(printed()).contains("# FAILED: MemTotal 100 kB", "not ok 1 ram works").doesNotContain("second attempt");
    }

    @Test
    void the_merge_of_a_level1_retry_keeps_a_scenarios_second_attempt_block() {
        AtomicInteger runs = new AtomicInteger();
        lab.runAll(List.of(failingFirst("boot", runs, LabFailure.guestLost("lost", List.of("tail")))));

        List<String> order = LabRetry.order(printed());
        var blocks = LabRetry.blocks(printed(), order);

        assertThat(LabRetry.passed(blocks.get("boot"))).isTrue();
        assertThat(blocks.get("boot")).contains("# first attempt lost its guest (lost); its diagnostics:", "#   tail");
    }
}
