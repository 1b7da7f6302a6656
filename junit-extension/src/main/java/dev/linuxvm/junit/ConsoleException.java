package dev.linuxvm.junit;

/**
 * A console wait that did not get what it expected. An {@link AssertionError}, so JUnit reports
 * the test as failed; the message quotes the console tail and the report directory.
 */
public class ConsoleException extends AssertionError {
    private final String tail;

    ConsoleException(String message, String tail) {
        super(message);
        this.tail = tail;
    }

    /** The last console lines at the time of failure, one per line. */
    public String tail() {
        return tail;
    }

    /** The expectation ran out of time. */
    public static final class Timeout extends ConsoleException {
        Timeout(String message, String tail) {
            super(message, tail);
        }
    }

    /** A fail-fast marker ("Kernel panic", "BUG:") appeared while waiting. */
    public static final class GuestFailure extends ConsoleException {
        private final String marker;
        private final String line;

        GuestFailure(String message, String tail, String marker, String line) {
            super(message, tail);
            this.marker = marker;
            this.line = line;
        }

        /** The fail-fast string that matched. */
        public String marker() {
            return marker;
        }

        /** The whole console line holding the marker. */
        public String line() {
            return line;
        }
    }

    /** The guest ended (powered off, crashed, stopped) before the expectation was met. */
    public static final class VmEnded extends ConsoleException {
        VmEnded(String message, String tail) {
            super(message, tail);
        }
    }
}
