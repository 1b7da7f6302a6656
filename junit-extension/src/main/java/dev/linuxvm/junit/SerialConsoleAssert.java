package dev.linuxvm.junit;

import java.time.Duration;
import java.util.List;
import org.assertj.core.api.AbstractAssert;

/** Assertions on a {@link SerialConsole}'s retained transcript. */
public final class SerialConsoleAssert extends AbstractAssert<SerialConsoleAssert, SerialConsole> {

    SerialConsoleAssert(SerialConsole actual) {
        super(actual, SerialConsoleAssert.class);
    }

    /** The transcript (CR removed) contains {@code text} now. */
    public SerialConsoleAssert contains(String text) {
        isNotNull();
        if (!actual.text().contains(text)) {
            failWithMessage("Expected the serial console to contain%n  \"%s\"%nbut it does not.%s", text, context());
        }
        return this;
    }

    /** The transcript does not contain {@code text}. */
    public SerialConsoleAssert doesNotContain(String text) {
        isNotNull();
        String line = lineWith(text);
        if (line != null) {
            failWithMessage("Expected the serial console not to contain%n  \"%s\"%nbut this line does:%n  %s%s", text, line, context());
        }
        return this;
    }

    /** Waits up to the console's default timeout (scaled) for {@code text}. */
    public SerialConsoleAssert eventuallyContains(String text) {
        return eventuallyContainsWithin(text, SerialConsole.DEFAULT_TIMEOUT);
    }

    /**
     * Waits up to {@code timeout} (scaled for the executor) for {@code text} to appear anywhere in
     * the transcript; does not move the console's read cursor. Fail-fast markers fail it early.
     */
    public SerialConsoleAssert eventuallyContainsWithin(String text, Duration timeout) {
        isNotNull();
        try {
            actual.within(timeout).awaitAnywhere(text);
        } catch (ConsoleException e) {
            failWithMessage("Expected the serial console to eventually contain%n  \"%s\"%nbut: %s", text, e.getMessage());
        }
        return this;
    }

    /**
     * No retained line fails fast on the default markers ({@code Kernel panic}, {@code BUG:}, ...):
     * the rule at {@link SerialConsole#failFastOn}, so the echo of {@code grep -e 'BUG:'} does not count.
     */
    public SerialConsoleAssert hasNoKernelPanic() {
        isNotNull();
        FailFastRule.Hit failure = actual.firstFailureLine(SerialConsole.DEFAULT_FAIL_FAST);
        if (failure != null) {
            failWithMessage("Expected no kernel failure on the serial console but found \"%s\" in:%n  %s%s",
                    failure.marker(), failure.line(), context());
        }
        return this;
    }

    private String lineWith(String text) {
        return actual.lines().filter(l -> l.contains(text)).findFirst().orElse(null);
    }

    private String context() {
        List<String> tail = actual.tail(SerialConsole.TAIL_LINES);
        StringBuilder sb = new StringBuilder("%nVM state: ").append(actual.vmState());
        if (actual.reportDir() != null) {
            sb.append("%nreport: ").append(actual.reportDir().toString().replace("%", "%%"));
        }
        sb.append("%nlast ").append(tail.size()).append(" console lines:");
        for (String l : tail) {
            sb.append("%n  | ").append(l.replace("%", "%%"));
        }
        return String.format(sb.toString());
    }
}
