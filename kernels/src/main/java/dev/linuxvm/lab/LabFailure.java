package dev.linuxvm.lab;

import java.util.List;

/** A lab scenario did not behave: the message, plus lines (console tail, figures) for the report. */
final class LabFailure extends RuntimeException {
    private final List<String> details;
    private final boolean guestLost;

    private LabFailure(String message, List<String> details, boolean guestLost) {
        super(message);
        this.details = List.copyOf(details);
        this.guestLost = guestLost;
    }

    LabFailure(String message, List<String> details) {
        this(message, details, false);
    }

    LabFailure(String message) {
        this(message, List.of());
    }

    /**
     * A level-2 guest ended or went silent before printing a line it was waiting for: the
     * symptom that QEMU's own guests show in this nesting too (see {@link LabScenarios#benchmark}),
     * which a scenario's second attempt tells apart from a failure of ours.
     */
    static LabFailure guestLost(String message, List<String> details) {
        return new LabFailure(message, details, true);
    }

    List<String> details() {
        return details;
    }

    boolean guestLost() {
        return guestLost;
    }
}
