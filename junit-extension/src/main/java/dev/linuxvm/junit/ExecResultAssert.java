package dev.linuxvm.junit;

import org.assertj.core.api.AbstractAssert;

/** Assertions on an {@link ExecResult}. */
public final class ExecResultAssert extends AbstractAssert<ExecResultAssert, ExecResult> {

    ExecResultAssert(ExecResult actual) {
        super(actual, ExecResultAssert.class);
    }

    /** Exit status 0. */
    public ExecResultAssert succeeded() {
        return hasExitStatus(0);
    }

    public ExecResultAssert hasExitStatus(int expected) {
        isNotNull();
        if (actual.exitStatus() != expected) {
            failWithMessage("Expected `%s` to exit with status %d but it exited with %d; output:%n%s",
                    actual.command(), expected, actual.exitStatus(), indent(actual.output()));
        }
        return this;
    }

    public ExecResultAssert outputContains(String text) {
        isNotNull();
        if (!actual.output().contains(text)) {
            failWithMessage("Expected the output of `%s` to contain%n  \"%s\"%nbut it was:%n%s",
                    actual.command(), text, indent(actual.output()));
        }
        return this;
    }

    public ExecResultAssert hasOutput(String expected) {
        isNotNull();
        if (!actual.output().equals(expected)) {
            failWithMessage("Expected the output of `%s` to be%n%s%nbut it was:%n%s",
                    actual.command(), indent(expected), indent(actual.output()));
        }
        return this;
    }

    private static String indent(String s) {
        return "  | " + s.replace("\n", "\n  | ");
    }
}
