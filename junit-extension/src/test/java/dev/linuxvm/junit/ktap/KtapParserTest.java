package dev.linuxvm.junit.ktap;

import static dev.linuxvm.junit.ktap.KtapStatus.FAIL;
import static dev.linuxvm.junit.ktap.KtapStatus.MISSING;
import static dev.linuxvm.junit.ktap.KtapStatus.PASS;
import static dev.linuxvm.junit.ktap.KtapStatus.SKIP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class KtapParserTest {
    private final KtapParser parser = KtapParser.create();

    private static KtapResult at(KtapDocument doc, int... path) {
        List<KtapResult> level = doc.results();
        KtapResult r = null;
        for (int i : path) {
            r = level.get(i);
            level = r.children();
        }
        return r;
    }

    @Test
    void reads_nested_kunit_boot_output_through_printk_timestamps() {
        KtapDocument doc = Samples.parse("kunit-boot-nested.log");

        assertThat(doc.problems()).isEmpty();
        assertThat(doc.version()).isEqualTo("KTAP version 1");
        assertThat(doc.plan()).isEqualTo(3);
        assertThat(doc.line()).isEqualTo(4);
        assertThat(doc.results()).extracting(KtapResult::number, KtapResult::name, KtapResult::status).containsExactly(
                tuple(1, "example", FAIL), tuple(2, "list-kunit-test", PASS), tuple(3, "sysctl_test", PASS));
        assertThat(at(doc, 0).children()).extracting(KtapResult::name, KtapResult::status).containsExactly(
                tuple("example_simple_test", PASS), tuple("example_skip_test", SKIP),
                tuple("example_params_test", PASS), tuple("example_fail_test", FAIL));
        // KUnit's parameterised tests: a third level without a plan.
        assertThat(at(doc, 0, 2).children()).extracting(KtapResult::name, KtapResult::status).containsExactly(
                tuple("example value 2", PASS), tuple("example value 1", PASS), tuple("example value 0", SKIP));
        assertThat(at(doc, 0, 1).reason()).isEqualTo("this test should be skipped");
        assertThat(at(doc, 0, 3).diagnostics()).containsExactly(
                "# example_fail_test: EXPECTATION FAILED at lib/kunit/kunit-example-test.c:31",
                "Expected 1 + 1 == 3, but", "1 + 1 == 2 (0x2)", "3 == 3 (0x3)");
        assertThat(at(doc, 0, 3).resultLine()).isEqualTo("not ok 4 example_fail_test");
        assertThat(at(doc, 0).diagnostics()).containsExactly("# example: pass:2 fail:1 skip:1 total:4");
        // An unknown kernel line belongs to what follows it.
        assertThat(at(doc, 1).diagnostics()).startsWith("random: crng init done");
        assertThat(doc.cases()).hasSize(9);
        assertThat(doc.passed()).isFalse();
    }

    @Test
    void reads_the_ktap_spec_example_as_three_levels() {
        KtapDocument doc = Samples.parse("ktap-spec-example.ktap");

        assertThat(doc.problems()).isEmpty();
        KtapResult main = at(doc, 0);
        assertThat(main.name()).isEqualTo("main_test");
        assertThat(main.status()).isEqualTo(FAIL);
        assertThat(main.children()).extracting(KtapResult::name, KtapResult::status).containsExactly(
                tuple("example_test_1", PASS), tuple("example_test_2", PASS), tuple("example_test_3", FAIL));
        assertThat(at(doc, 0, 0, 0).diagnostics()).containsExactly("# test_1: initializing test_1");
        assertThat(at(doc, 0, 1, 0)).extracting(KtapResult::status, KtapResult::reason).containsExactly(SKIP, "test_1 skipped");
        assertThat(at(doc, 0, 2).children()).extracting(KtapResult::name, KtapResult::status).containsExactly(
                tuple("test_1", PASS), tuple("test_2", FAIL), tuple("test_3", SKIP));
        assertThat(at(doc, 0, 2, 1).diagnostics()).containsExactly("# test_2: FAIL");
    }

    @Test
    void reads_old_kunit_tap14_with_tab_indentation_and_dashes() {
        KtapDocument doc = Samples.parse("kunit-tap14-tabs.log");

        assertThat(doc.problems()).isEmpty();
        assertThat(doc.version()).isEqualTo("TAP version 14");
        assertThat(doc.results()).extracting(KtapResult::name, KtapResult::status).containsExactly(
                tuple("kunit-resource-test", PASS), tuple("string-stream-test", FAIL));
        assertThat(at(doc, 1, 0)).extracting(KtapResult::name, KtapResult::status).containsExactly(
                "string_stream_test_empty_on_creation", FAIL);
    }

    @Test
    void reads_kselftest_tap13_keeping_the_prefixed_inner_tap_as_diagnostics() {
        KtapDocument doc = Samples.parse("kselftest-tap13.log");

        assertThat(doc.problems()).isEmpty();
        assertThat(doc.results()).extracting(KtapResult::name, KtapResult::status, KtapResult::reason).containsExactly(
                tuple("selftests: membarrier: membarrier_test_single_thread", PASS, ""),
                tuple("selftests: timers: nanosleep", FAIL, "exit=1"),
                tuple("selftests: timers: rtcpie", SKIP, ""),
                tuple("selftests: timers: set-timer-lat", KtapStatus.TIMEOUT, "45 seconds"),
                tuple("selftests: timers: posix_timers", PASS, ""));
        assertThat(at(doc, 0).isSuite()).isFalse();
        assertThat(at(doc, 0).diagnostics()).contains("# TAP version 13", "# ok 1 sys_membarrier available");
        assertThat(at(doc, 1).diagnostics()).containsExactly(
                "# selftests: timers: nanosleep", "# Nanosleep CLOCK_REALTIME                  [FAILED]");
    }

    @Test
    void reads_directives_case_insensitively_and_keeps_plain_comments_as_the_reason() {
        KtapDocument doc = Samples.parse("directives.tap");

        assertThat(doc.problems()).isEmpty();
        assertThat(doc.results()).extracting(KtapResult::name, KtapResult::status, KtapResult::reason).containsExactly(
                tuple("plain pass", PASS, ""),
                tuple("needs a device", SKIP, "no /dev/kvm"),
                tuple("known broken", KtapStatus.TODO, "fix after the next release"),
                tuple("check return code", PASS, "rcode=0"),
                tuple("expected to fail", KtapStatus.XFAIL, "bug 123"),
                tuple("skipped though not ok", SKIP, "not applicable here"));
    }

    @Test
    void falls_back_to_ok_for_a_failure_directive_on_an_ok_line() {
        KtapDocument doc = parser.parse("KTAP version 1\n1..1\nok 1 slow # TIMEOUT 30 seconds\n");

        assertThat(at(doc, 0)).extracting(KtapResult::status, KtapResult::reason).containsExactly(PASS, "TIMEOUT 30 seconds");
    }

    @Test
    void marks_what_a_bail_out_left_unprinted_missing_and_reports_the_bail_out() {
        KtapDocument doc = Samples.parse("bail-out.tap");

        assertThat(doc.results()).extracting(KtapResult::number, KtapResult::status).containsExactly(
                tuple(1, PASS), tuple(2, FAIL), tuple(3, MISSING), tuple(4, MISSING));
        assertThat(at(doc, 2).reason()).isEqualTo("not run: 'Bail out! cannot mount debugfs' at line 5");
        assertThat(doc.problems()).extracting(KtapProblem::kind, KtapProblem::line)
                .containsExactly(tuple(KtapProblem.Kind.BAIL_OUT, 5));
    }

    @Test
    void reports_more_results_than_planned_and_keeps_them() {
        KtapDocument doc = Samples.parse("plan-mismatch.tap");

        assertThat(doc.results()).extracting(KtapResult::name).containsExactly("first", "second", "third");
        assertThat(doc.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(KtapProblem.Kind.PLAN_MISMATCH);
            assertThat(p.message()).isEqualTo("the document of line 1: plan 1..2 but 3 results");
            assertThat(p.line()).isEqualTo(2);
        });
    }

    @Test
    @Timeout(10)
    void a_huge_plan_makes_a_bounded_number_of_missing_results_and_names_the_rest_as_ranges() {
        // Found by KtapParserFuzzTest: "1..999999999" built a billion MISSING results (OutOfMemoryError).
        KtapDocument doc = KtapParser.create().parse("KTAP version 1\n1..999999999\nok 1 first\nok 3 third\n");

        assertThat(doc.results()).hasSize(2 + KtapParser.MAX_MISSING_RESULTS);
        assertThat(doc.results()).extracting(KtapResult::number, KtapResult::status).startsWith(
                tuple(1, PASS), tuple(3, PASS), tuple(2, MISSING), tuple(4, MISSING), tuple(5, MISSING));
        assertThat(doc.results().get(doc.results().size() - 1).number()).isEqualTo(1002);
        assertThat(doc.problems()).extracting(KtapProblem::kind).contains(KtapProblem.Kind.MISSING_RESULTS);
        assertThat(doc.problems().get(doc.problems().size() - 1).message()).isEqualTo(
                "the document of line 1: plan 1..999999999 but 2 results, missing 2, 4-999999999 (999999997 numbers;"
                        + " the first 1000 get a MISSING result) (the output ends after line 4)");
    }

    @Test
    @Timeout(5)
    void reads_a_long_result_line_with_a_unicode_line_separator_in_linear_time() {
        // '.' did not match U+2028, so "ok", spaces, U+2028 backtracked quadratically (6 s for 40000 spaces).
        KtapDocument doc = KtapParser.create().parse("KTAP version 1\n1..1\nok" + " ".repeat(80_000) + "\u2028x\n");

        assertThat(doc.results()).extracting(KtapResult::number, KtapResult::name, KtapResult::status)
                .containsExactly(tuple(1, "x", PASS));
    }

    @Test
    void turns_results_cut_off_by_a_crash_into_missing_results_with_the_last_words() {
        KtapDocument doc = Samples.parse("kunit-crash-in-the-middle.log");

        KtapResult crashy = at(doc, 0);
        assertThat(crashy).extracting(KtapResult::name, KtapResult::status).containsExactly("crashy", MISSING);
        assertThat(crashy.children()).extracting(KtapResult::number, KtapResult::status).containsExactly(
                tuple(1, PASS), tuple(2, PASS), tuple(3, PASS), tuple(4, MISSING), tuple(5, MISSING));
        assertThat(at(doc, 0, 3).diagnostics()).last().isEqualTo("Kernel panic - not syncing: Fatal exception");
        assertThat(at(doc, 0, 3).reason()).isEqualTo("no result line: the output ends after line 11");
        assertThat(at(doc, 1)).extracting(KtapResult::number, KtapResult::name, KtapResult::status).containsExactly(2, "", MISSING);
        assertThat(doc.problems()).extracting(KtapProblem::toString).containsExactly(
                "MISSING_RESULTS (line 11): suite 'crashy' of line 3: plan 1..5 but 3 results, missing 4, 5"
                        + " (the output ends after line 11)",
                "MISSING_RESULTS (line 11): suite 'crashy' of line 3 (test 1) has no result line after the subtest block:"
                        + " the output ends after line 11",
                "MISSING_RESULTS (line 11): the document of line 1: plan 1..2 but 1 result, missing 2"
                        + " (the output ends after line 11)");
    }

    @Test
    void ignores_lab_lines_and_carriage_returns_and_reads_one_document_per_architecture() throws Exception {
        List<KtapDocument> docs = parser.parseAll(Samples.path("lab-console.log"));

        assertThat(docs).hasSize(2);
        assertThat(docs).allSatisfy(d -> assertThat(d.problems()).isEmpty());
        assertThat(docs.get(0).results()).extracting(KtapResult::name, KtapResult::status).containsExactly(
                tuple("cpuid leaves", PASS), tuple("msr round trip", FAIL), tuple("hlt exit", SKIP));
        assertThat(docs.get(0).results().get(1).diagnostics()).containsExactly(
                "kvm: vcpu0 disabled perfctr wrmsr", "# expected 0x1 got 0x0");
        assertThat(docs.get(1).results()).extracting(KtapResult::name, KtapResult::status).containsExactly(
                tuple("cpuid leaves", PASS), tuple("msr round trip", PASS));
        assertThat(docs).flatMap(KtapDocument::cases).flatMap(KtapResult::diagnostics)
                .noneMatch(s -> s.contains("L2|") || s.contains("\r"));
    }

    @Test
    void parse_returns_the_first_of_several_documents_with_a_problem() {
        KtapDocument doc = Samples.parse("lab-console.log");

        assertThat(doc.results()).hasSize(3);
        assertThat(doc.problems()).singleElement().extracting(KtapProblem::kind, KtapProblem::message).containsExactly(
                KtapProblem.Kind.MULTIPLE_DOCUMENTS,
                "the input holds 2 KTAP documents, starting at lines 3, 13; parse() returned the first: use parseAll()");
    }

    @Test
    void reports_no_ktap_quoting_the_last_lines() {
        KtapDocument doc = Samples.parse("no-ktap.log");

        assertThat(doc.results()).isEmpty();
        assertThat(doc.problems()).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(KtapProblem.Kind.NO_KTAP);
            assertThat(p.message()).startsWith("no 'KTAP version 1' or 'TAP version 13/14' line in 4 lines")
                    .contains("    Run /init as init process", "    ~ #");
        });
        assertThat(parser.parseAll(List.of("no", "ktap"))).isEmpty();
        assertThat(parser.parse("").problems()).extracting(KtapProblem::message).containsExactly("no KTAP output: the input is empty");
    }

    @Test
    void reports_a_version_line_with_neither_plan_nor_results() {
        KtapDocument doc = parser.parse("KTAP version 1\nsomething else\n");

        assertThat(doc.problems()).extracting(KtapProblem::kind).containsExactly(KtapProblem.Kind.NO_RESULTS);
        assertThat(parser.parse("KTAP version 1\n1..0\n").problems()).isEmpty();
    }

    @Test
    void reports_numbers_out_of_sequence_and_unsupported_versions() {
        KtapDocument doc = parser.parse("KTAP version 2\n1..2\nok 1 a\nok 3 b\n");

        assertThat(doc.problems()).extracting(KtapProblem::kind, KtapProblem::line).containsExactly(
                tuple(KtapProblem.Kind.UNSUPPORTED_VERSION, 1), tuple(KtapProblem.Kind.UNEXPECTED_NUMBER, 4),
                tuple(KtapProblem.Kind.MISSING_RESULTS, 4));
        assertThat(doc.results()).extracting(KtapResult::number, KtapResult::status).containsExactly(
                tuple(1, PASS), tuple(3, PASS), tuple(2, MISSING));
    }

    @Test
    void accepts_tap_results_without_number_and_with_dash() {
        KtapDocument doc = parser.parse("TAP version 14\n1..2\nok - first\nnot ok\n");

        assertThat(doc.problems()).isEmpty();
        assertThat(doc.results()).extracting(KtapResult::number, KtapResult::name, KtapResult::displayName).containsExactly(
                tuple(1, "first", "first"), tuple(2, "", "test 2"));
    }

    @Test
    void reads_a_subtest_named_only_by_its_header_and_without_a_plan() {
        KtapDocument doc = parser.parse("""
                KTAP version 1
                1..1
                  # Subtest: suite
                  ok 1 a
                  ok 2 b
                ok 1 suite
                """);

        assertThat(doc.problems()).isEmpty();
        assertThat(at(doc, 0).children()).extracting(KtapResult::name).containsExactly("a", "b");
    }

    @Test
    void a_subtest_block_that_a_sibling_cuts_off_is_missing_its_result() {
        KtapDocument doc = parser.parse("""
                KTAP version 1
                1..2
                  KTAP version 1
                  # Subtest: first
                  1..1
                  KTAP version 1
                  # Subtest: second
                  1..1
                  ok 1 x
                ok 2 second
                """);

        assertThat(doc.results()).extracting(KtapResult::number, KtapResult::name, KtapResult::status).containsExactly(
                tuple(1, "first", MISSING), tuple(2, "second", PASS));
        assertThat(at(doc, 0).children()).extracting(KtapResult::status).containsExactly(MISSING);
        assertThat(doc.problems()).extracting(KtapProblem::kind).containsOnly(KtapProblem.Kind.MISSING_RESULTS);
    }

    @Test
    void strips_printk_caller_ids_and_reads_lone_carriage_returns_as_line_breaks() {
        KtapDocument doc = parser.parse("[    1.000000][    T1] KTAP version 1\r[    1.000001][    T1] 1..1\r"
                + "[    1.000002][    T1] ok 1 only\r");

        assertThat(doc.problems()).isEmpty();
        assertThat(doc.results()).extracting(KtapResult::name).containsExactly("only");
    }

    @Test
    void the_three_entry_points_agree() throws Exception {
        var path = Samples.path("kunit-boot-nested.log");

        KtapDocument fromPath = parser.parse(path);
        assertThat(parser.parse(Files.readString(path))).isEqualTo(fromPath);
        assertThat(parser.parse(Files.readAllLines(path))).isEqualTo(fromPath);
    }

    @Test
    void more_ignored_prefixes_can_be_added_but_not_blank_ones() {
        KtapParser both = parser.ignoringLinesStartingWith("L3|");

        assertThat(both.ignoredPrefixes()).containsExactly("L2|", "L3|");
        assertThat(both.parse("KTAP version 1\n1..1\nL3|noise\nok 1 a\n").results().get(0).diagnostics()).isEmpty();
        assertThat(parser.ignoredPrefixes()).containsExactly("L2|");
        assertThatThrownBy(() -> parser.ignoringLinesStartingWith(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be blank");
    }
}
