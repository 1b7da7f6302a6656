package dev.linuxvm.junit.ktap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** Runs the dynamic tests made from each sample through the Jupiter engine and checks the events. */
class KtapDynamicTestsTest {

    static final String FIXTURES_PARAMETER = "linuxvm.ktap.fixtures";

    /** Keeps {@link Factories} from running as a test of its own (e.g. under {@code -Dtest='Ktap*'}). */
    static class OnlyThroughEngineTestKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(FIXTURES_PARAMETER).isPresent()
                    ? ConditionEvaluationResult.enabled("run by KtapDynamicTestsTest")
                    : ConditionEvaluationResult.disabled("a fixture of KtapDynamicTestsTest, run only through it");
        }
    }

    /** Each factory is selected by one test below. */
    @ExtendWith(OnlyThroughEngineTestKit.class)
    static class Factories {
        @TestFactory
        Stream<DynamicNode> kunitBoot() {
            return KtapDynamicTests.from(Samples.parse("kunit-boot-nested.log"));
        }

        @TestFactory
        Stream<DynamicNode> crashInTheMiddle() {
            return KtapDynamicTests.from(Samples.parse("kunit-crash-in-the-middle.log"));
        }

        @TestFactory
        Stream<DynamicNode> directives() {
            return KtapDynamicTests.from(Samples.parse("directives.tap"));
        }

        @TestFactory
        Stream<DynamicNode> bailOut() {
            return KtapDynamicTests.from(Samples.parse("bail-out.tap"));
        }

        @TestFactory
        Stream<DynamicNode> noKtap() {
            return KtapDynamicTests.from(Samples.parse("no-ktap.log"));
        }

        /** The lab example of package-info.java, with the console replaced by a sample. */
        @TestFactory
        Stream<DynamicNode> perArchitecture() throws IOException {
            List<KtapDocument> perArch = KtapParser.create().parseAll(Files.readString(Samples.path("lab-console.log")));
            assertThat(perArch).hasSize(2);
            return Stream.of(
                    dynamicContainer("x86_64", KtapDynamicTests.from(perArch.get(0))),
                    dynamicContainer("aarch64", KtapDynamicTests.from(perArch.get(1))));
        }

        @TestFactory
        Stream<DynamicNode> suiteFailsAlone() {
            return KtapDynamicTests.from(KtapParser.create().parse("""
                    KTAP version 1
                    1..1
                      KTAP version 1
                      1..1
                      ok 1 case
                    # suite_exit failed: -12
                    not ok 1 suite
                    """));
        }
    }

    private static EngineExecutionResults run(String factory) {
        return EngineTestKit.engine("junit-jupiter").configurationParameter(FIXTURES_PARAMETER, "true").selectors(selectMethod(Factories.class, factory)).execute();
    }

    @Test
    void kunit_suites_become_containers_and_cases_pass_fail_or_skip() {
        EngineExecutionResults events = run("kunitBoot");

        events.testEvents().assertStatistics(s -> s.succeeded(6).failed(1).aborted(2));
        events.allEvents().assertThatEvents()
                .haveExactly(1, event(container(), displayName("example"), finishedSuccessfully()))
                .haveExactly(1, event(container(), displayName("example_params_test"), finishedSuccessfully()))
                .haveExactly(1, event(test(), displayName("example value 2"), finishedSuccessfully()))
                .haveExactly(1, event(test(), displayName("example_skip_test"),
                        abortedWithReason(instanceOf(TestAbortedException.class), message("SKIP: this test should be skipped"))))
                .haveExactly(1, event(test(), displayName("example_fail_test"), finishedWithFailure(
                        instanceOf(AssertionFailedError.class),
                        message("not ok 4 example_fail_test (line 25)\n"
                                + "  # example_fail_test: EXPECTATION FAILED at lib/kunit/kunit-example-test.c:31\n"
                                + "  Expected 1 + 1 == 3, but\n  1 + 1 == 2 (0x2)\n  3 == 3 (0x3)"))));
    }

    @Test
    void a_crash_in_the_middle_fails_the_missing_tests_and_the_document() {
        EngineExecutionResults events = run("crashInTheMiddle");

        events.testEvents().assertStatistics(s -> s.succeeded(3).failed(4).aborted(0));
        events.allEvents().assertThatEvents()
                .haveExactly(1, event(container(), displayName("crashy"), finishedSuccessfully()))
                .haveExactly(1, event(test(), displayName("test 4"), finishedWithFailure(message(m -> m.startsWith(
                        "missing result for test 4: no result line: the output ends after line 11\n")
                        && m.endsWith("  Kernel panic - not syncing: Fatal exception")))))
                .haveExactly(1, event(test(), displayName("test 2"), finishedWithFailure(message(m -> m.startsWith(
                        "missing result for test 2: no result line")))))
                .haveExactly(1, event(test(), displayName(KtapDynamicTests.PROBLEMS_TEST_NAME), finishedWithFailure(
                        message(m -> m.contains("plan 1..5 but 3 results, missing 4, 5")
                                && m.contains("plan 1..2 but 1 result, missing 2")))));
    }

    @Test
    void todo_and_xfail_are_skips_not_passes() {
        EngineExecutionResults events = run("directives");

        events.testEvents().assertStatistics(s -> s.succeeded(2).failed(0).aborted(4));
        events.allEvents().assertThatEvents()
                .haveExactly(1, event(test(), displayName("known broken"), abortedWithReason(message("TODO: fix after the next release"))))
                .haveExactly(1, event(test(), displayName("expected to fail"), abortedWithReason(message("XFAIL: bug 123"))))
                .haveExactly(1, event(test(), displayName("check return code"), finishedSuccessfully()));
    }

    @Test
    void a_bail_out_fails_the_unprinted_tests_and_names_the_bail_out() {
        EngineExecutionResults events = run("bailOut");

        events.testEvents().assertStatistics(s -> s.succeeded(1).failed(4));
        events.allEvents().assertThatEvents().haveExactly(1, event(test(), displayName(KtapDynamicTests.PROBLEMS_TEST_NAME),
                finishedWithFailure(message("BAIL_OUT (line 5): 'Bail out! cannot mount debugfs': the results not printed"
                        + " before it are missing"))));
    }

    @Test
    void no_ktap_at_all_is_one_failing_test_quoting_the_console() {
        EngineExecutionResults events = run("noKtap");

        events.testEvents().assertStatistics(s -> s.started(1).failed(1));
        events.allEvents().assertThatEvents().haveExactly(1, event(test(), displayName(KtapDynamicTests.PROBLEMS_TEST_NAME),
                finishedWithFailure(message(m -> m.startsWith("NO_KTAP: no 'KTAP version 1'") && m.endsWith("    ~ #")))));
    }

    @Test
    void a_suite_that_fails_with_passing_cases_gets_a_failing_suite_result_test() {
        EngineExecutionResults events = run("suiteFailsAlone");

        events.testEvents().assertStatistics(s -> s.succeeded(1).failed(1));
        events.allEvents().assertThatEvents().haveExactly(1, event(test(), displayName("suite" + KtapDynamicTests.SUITE_RESULT_SUFFIX),
                finishedWithFailure(message("not ok 1 suite (line 7)\n  # suite_exit failed: -12"))));
    }

    @Test
    void one_container_per_architecture_as_in_the_package_example() {
        EngineExecutionResults events = run("perArchitecture");

        events.testEvents().assertStatistics(s -> s.succeeded(3).failed(1).aborted(1));
        events.allEvents().assertThatEvents()
                .haveExactly(1, event(container(), displayName("aarch64"), finishedSuccessfully()))
                .haveExactly(1, event(test(), displayName("msr round trip"), finishedWithFailure(message(
                        "not ok 2 msr round trip (line 10)\n  kvm: vcpu0 disabled perfctr wrmsr\n  # expected 0x1 got 0x0"))));
    }

    @Test
    void a_passing_document_yields_no_problems_test() {
        assertThat(KtapDynamicTests.from(KtapParser.create().parse("KTAP version 1\n1..1\nok 1 a\n")))
                .extracting(DynamicNode::getDisplayName).containsExactly("a");
    }
}
