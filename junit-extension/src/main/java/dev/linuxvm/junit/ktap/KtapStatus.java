package dev.linuxvm.junit.ktap;

/**
 * The outcome of one KTAP result line: {@code ok} / {@code not ok} and its directive
 * (Documentation/dev-tools/ktap.rst, "Test case result lines"), or {@link #MISSING} when the
 * plan promised a result that never came.
 */
public enum KtapStatus {
    /** {@code ok}, without a directive or with one this parser does not know. */
    PASS,
    /** {@code not ok}, without a directive or with one this parser does not know. */
    FAIL,
    /** {@code # SKIP}, on {@code ok} or {@code not ok} (ktap.rst allows both). */
    SKIP,
    /** {@code # TODO}: not expected to pass yet (TAP 13/14; KTAP discourages it). */
    TODO,
    /** {@code # XFAIL}: failed as expected (kselftest prints it on {@code ok}). */
    XFAIL,
    /** {@code not ok ... # TIMEOUT}. */
    TIMEOUT,
    /** {@code not ok ... # ERROR}: the test could not run. */
    ERROR,
    /**
     * Planned but never printed: the output stopped (crash, bail out, reboot) before this result,
     * or a subtest block was not closed by its result line.
     */
    MISSING;

    /** Makes a JUnit test fail. */
    public boolean failed() {
        return this == FAIL || this == TIMEOUT || this == ERROR || this == MISSING;
    }

    /** Makes a JUnit test skipped (aborted): neither a pass nor a failure. */
    public boolean skipped() {
        return this == SKIP || this == TODO || this == XFAIL;
    }
}
