package dev.linuxvm.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabRetryTest {
    /** A first attempt whose level 1 panicked during scenario "b": "a" passed, "c" never ran. */
    static final String FIRST = String.join("\n",
            "lab: level 1 userspace at 4.01 s",
            "KTAP version 1",
            "1..3",
            "# scenarios: a,b,c",
            "# kvm lab: x86_64 guests on KVM API 12",
            "L2|a|[    0.000000] Linux version 6.1.0",
            "# a: 1200 ms",
            "# figure of a",
            "ok 1 scenario a",
            "L2|b|[    0.000000] Linux version 6.1.0",
            "[  276.135904] Kernel panic - not syncing: Fatal exception in interrupt");

    /** The second attempt, run with only b and c. */
    static final String SECOND = String.join("\n",
            "KTAP version 1",
            "1..2",
            "# scenarios: b,c",
            "# b: 900 ms",
            "ok 1 scenario b",
            "# c: 300 ms",
            "# FAILED: c broke",
            "not ok 2 scenario c",
            "linuxvm: exit 1");

    @Test
    void the_second_attempt_runs_what_the_first_did_not_pass_and_one_document_reports_all_three() {
        List<String> order = LabRetry.order(FIRST);
        assertThat(order).containsExactly("a", "b", "c");
        Map<String, List<String>> first = LabRetry.blocks(FIRST, order);
        assertThat(first).containsOnlyKeys("a");
        assertThat(LabRetry.remaining(order, first)).containsExactly("b", "c");

        String merged = LabRetry.merge(order, first, LabRetry.blocks(SECOND, LabRetry.order(SECOND)));
        assertThat(merged.lines().toList()).containsSubsequence(
                "KTAP version 1", "1..3",
                "# a: passed in the first attempt", "# a: 1200 ms", "# figure of a", "ok 1 scenario a",
                "# b: 900 ms", "ok 2 scenario b",
                "# c: 300 ms", "# FAILED: c broke", "not ok 3 scenario c");
        assertThat(merged).doesNotContain("L2|", "Kernel panic", "1..2");
    }

    @Test
    void a_failed_scenario_of_the_first_attempt_runs_again() {
        String first = String.join("\n", "1..2", "# scenarios: a,b", "# a: 5 ms", "not ok 1 scenario a", "# b: 5 ms", "ok 2 scenario b");
        List<String> order = LabRetry.order(first);
        assertThat(LabRetry.remaining(order, LabRetry.blocks(first, order))).containsExactly("a");
    }

    @Test
    void a_scenario_in_neither_attempt_has_no_result_line() {
        List<String> order = List.of("a", "b");
        String merged = LabRetry.merge(order, LabRetry.blocks("# a: 1 ms\nok 1 scenario a", order), Map.of());
        assertThat(merged).contains("1..2", "ok 1 scenario a").doesNotContain("ok 2");
    }

    @Test
    void a_transcript_without_the_order_line_gives_no_order() {
        assertThat(LabRetry.order("[    1.0] Kernel panic - not syncing")).isEmpty();
    }
}
