package dev.linuxvm.junit.ktap;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Turns a {@link KtapDocument} into JUnit 5 dynamic tests for a {@code @TestFactory}: a suite
 * becomes a {@link org.junit.jupiter.api.DynamicContainer}, a test case a {@link DynamicTest},
 * nested as deep as the KTAP tree, each named by its KTAP description.
 *
 * <ul>
 *   <li>{@link KtapStatus#PASS}: the test passes.
 *   <li>{@link KtapStatus#FAIL}, {@code TIMEOUT}, {@code ERROR}, {@code MISSING}: it fails with an
 *       {@link AssertionFailedError} quoting the result line (or why it is missing) and the
 *       diagnostic lines before it.
 *   <li>{@link KtapStatus#SKIP}, {@code TODO}, {@code XFAIL}: it is skipped with a
 *       {@link TestAbortedException} whose message is the directive and its reason
 *       ({@code "TODO: not implemented"}), so a TODO never counts as a pass.
 *   <li>A suite whose own result line failed (or is missing) while none of its subtests failed
 *       gets one more test, {@code "<suite> (suite result)"}, that fails with the suite's
 *       diagnostics, so the failure is not lost in the container.
 *   <li>A document with {@link KtapDocument#problems() problems} ends with one more test,
 *       {@value #PROBLEMS_TEST_NAME}, that fails listing them: output that stops in the middle
 *       turns the build red even where no result line said {@code not ok}.
 * </ul>
 */
public final class KtapDynamicTests {
    /** Display name of the test that fails when the document has problems. */
    public static final String PROBLEMS_TEST_NAME = "KTAP output is complete and consistent";
    /** Suffix of the extra test for a failed suite result; see the class comment. */
    public static final String SUITE_RESULT_SUFFIX = " (suite result)";
    /** Diagnostic lines quoted in a failure message; the earliest are dropped first. */
    public static final int MAX_DIAGNOSTIC_LINES = 40;

    private KtapDynamicTests() {
    }

    /** One node per top-level result, then the problems test if the document has problems. */
    public static Stream<DynamicNode> from(KtapDocument document) {
        Stream<DynamicNode> results = document.results().stream().map(KtapDynamicTests::node);
        if (document.problems().isEmpty()) {
            return results;
        }
        return Stream.concat(results, Stream.of(dynamicTest(PROBLEMS_TEST_NAME, () -> {
            throw new AssertionFailedError(document.describeProblems());
        })));
    }

    /** The node for one result: a container for a suite, a test for a test case. */
    public static DynamicNode node(KtapResult result) {
        if (!result.isSuite()) {
            return dynamicTest(result.displayName(), () -> verify(result));
        }
        Stream<DynamicNode> children = result.children().stream().map(KtapDynamicTests::node);
        if (result.status().failed() && result.children().stream().noneMatch(KtapResult::anyFailed)) {
            children = Stream.concat(children,
                    Stream.of(dynamicTest(result.displayName() + SUITE_RESULT_SUFFIX, () -> verify(result))));
        }
        return dynamicContainer(result.displayName(), children);
    }

    /** Passes, fails or aborts the current test as {@code result} says; see the class comment. */
    public static void verify(KtapResult result) {
        if (result.status().failed()) {
            throw new AssertionFailedError(failureMessage(result));
        }
        if (result.status().skipped()) {
            throw new TestAbortedException(result.status() + (result.reason().isEmpty() ? "" : ": " + result.reason()));
        }
    }

    /**
     * The result line, or for a missing result which test and why, followed by up to
     * {@link #MAX_DIAGNOSTIC_LINES} diagnostic lines indented by two spaces.
     */
    public static String failureMessage(KtapResult result) {
        String head = result.status() == KtapStatus.MISSING
                ? "missing result for test " + result.number() + (result.name().isEmpty() ? "" : " '" + result.name() + "'")
                        + ": " + result.reason()
                : result.resultLine() + " (line " + result.line() + ")";
        List<String> diagnostics = result.diagnostics();
        if (diagnostics.isEmpty()) {
            return head;
        }
        int dropped = Math.max(0, diagnostics.size() - MAX_DIAGNOSTIC_LINES);
        return head + "\n" + (dropped > 0 ? "  ... " + dropped + " earlier lines\n" : "")
                + diagnostics.subList(dropped, diagnostics.size()).stream().map(s -> "  " + s).collect(Collectors.joining("\n"));
    }
}
