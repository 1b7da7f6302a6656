package dev.linuxvm.lab;

import java.util.List;

/** A lab scenario did not behave: the message, plus lines (console tail, figures) for the report. */
final class LabFailure extends RuntimeException {
    private final List<String> details;

    LabFailure(String message, List<String> details) {
        super(message);
        this.details = List.copyOf(details);
    }

    LabFailure(String message) {
        this(message, List.of());
    }

    List<String> details() {
        return details;
    }
}
