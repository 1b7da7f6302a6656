package dev.linuxvm.junit.ktap;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One test in a KTAP tree: a result line and, for a suite, the results of the subtest block
 * printed before it (ktap.rst, "Nested tests").
 *
 * @param number      the number on the result line (for a {@link KtapStatus#MISSING} result,
 *                    the number the plan reserved for it)
 * @param name        the description on the result line, without the {@code - } TAP puts
 *                    before it; for a suite whose result line is missing, the name from its
 *                    {@code # Subtest:} header; empty when the output never named the test
 * @param status      {@code ok} / {@code not ok} combined with the directive
 * @param reason      the text after {@code #} on the result line without the directive keyword
 *                    ({@code "30 seconds"} for {@code # TIMEOUT 30 seconds}); for a missing
 *                    result, why it is missing
 * @param diagnostics the lines printed before the result line and after the previous one (ktap.rst:
 *                    "diagnostic lines regarding a test are directly before the test result
 *                    line"), indentation and printk timestamps removed, {@code #} kept; includes
 *                    unknown lines such as kernel messages, excludes ignored lines
 * @param children    the subtests, empty for a test case
 * @param resultLine  the result line as printed, without indentation; empty for a missing result
 * @param line        1-based line number of the result line in the input; for a missing result,
 *                    the line where the output ended or stopped being part of this document
 */
public record KtapResult(int number, String name, KtapStatus status, String reason, List<String> diagnostics,
                         List<KtapResult> children, String resultLine, int line) {
    public KtapResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(resultLine, "resultLine");
        diagnostics = List.copyOf(diagnostics);
        children = List.copyOf(children);
    }

    /** A result with subtests. */
    public boolean isSuite() {
        return !children.isEmpty();
    }

    /** The name, or {@code "test N"} when the output never named it (JUnit needs a non-blank name). */
    public String displayName() {
        return name.isBlank() ? "test " + number : name;
    }

    /** This result and all results below it, depth first, parents before their children. */
    public Stream<KtapResult> flattened() {
        return Stream.concat(Stream.of(this), children.stream().flatMap(KtapResult::flattened));
    }

    /** True if this result or any result below it failed. */
    public boolean anyFailed() {
        return flattened().anyMatch(r -> r.status.failed());
    }
}
