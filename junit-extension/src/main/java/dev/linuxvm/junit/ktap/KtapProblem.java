package dev.linuxvm.junit.ktap;

import java.util.Objects;

/**
 * Something wrong with a KTAP document as a whole rather than with one test: the output is
 * incomplete, inconsistent or absent. Any problem makes {@link KtapDynamicTests} add a failing test.
 *
 * @param kind    what went wrong
 * @param message one sentence naming the suite or line and what is missing or wrong
 * @param line    1-based input line the problem was detected at, 0 when it concerns the whole input
 */
public record KtapProblem(Kind kind, String message, int line) {
    public KtapProblem {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /** The kinds of problems, roughly in the order a reader would want to know them. */
    public enum Kind {
        /** The input has no {@code KTAP version} / {@code TAP version} line at all. */
        NO_KTAP,
        /** A version line is followed by neither a plan nor any result. */
        NO_RESULTS,
        /**
         * A plan {@code 1..N} promised results the output never printed; each appears in the tree
         * as a {@link KtapStatus#MISSING} result. Also: a subtest block without its result line.
         */
        MISSING_RESULTS,
        /** More results than the plan announced. */
        PLAN_MISMATCH,
        /** A {@code Bail out!} line: the producer gave up; what it had not printed is missing. */
        BAIL_OUT,
        /** A result number is not the previous one plus one (ktap.rst: numbers "must increase by 1"). */
        UNEXPECTED_NUMBER,
        /** A version other than {@code KTAP version 1}, {@code TAP version 13} or {@code 14}. */
        UNSUPPORTED_VERSION,
        /** {@link KtapParser#parse} found more than one document; use {@link KtapParser#parseAll}. */
        MULTIPLE_DOCUMENTS
    }

    @Override
    public String toString() {
        return kind + (line > 0 ? " (line " + line + ")" : "") + ": " + message;
    }
}
