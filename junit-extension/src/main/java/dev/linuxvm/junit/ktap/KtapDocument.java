package dev.linuxvm.junit.ktap;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One KTAP (or TAP 13/14) document: from its version line to the end of the input, the next
 * top-level version line or a {@code Bail out!}.
 *
 * @param version  the version line, e.g. {@code "KTAP version 1"}; empty when there was none
 *                 (then {@link #problems()} holds {@link KtapProblem.Kind#NO_KTAP})
 * @param plan     N of the top-level plan {@code 1..N}, or -1 when the document has no plan
 * @param results  the top-level results, in output order, followed by any
 *                 {@link KtapStatus#MISSING} ones the plan still expected
 * @param problems what is wrong with the document as a whole, in the order found; empty for a
 *                 complete, consistent document (whose tests may still fail)
 * @param line     1-based input line of the version line, 0 when there was none
 */
public record KtapDocument(String version, int plan, List<KtapResult> results, List<KtapProblem> problems, int line) {
    public KtapDocument {
        Objects.requireNonNull(version, "version");
        results = List.copyOf(results);
        problems = List.copyOf(problems);
    }

    /** The leaves of the tree: every result without subtests, in output order. */
    public List<KtapResult> cases() {
        return results.stream().flatMap(KtapResult::flattened).filter(r -> !r.isSuite()).toList();
    }

    /** No problems and no failed result anywhere (skips allowed). */
    public boolean passed() {
        return problems.isEmpty() && results.stream().noneMatch(KtapResult::anyFailed);
    }

    /** The problems, one per line, for a failure message. */
    public String describeProblems() {
        return problems.stream().map(KtapProblem::toString).collect(Collectors.joining("\n"));
    }
}
