package dev.linuxvm.bench;

import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * Where one cold boot's time went, from the console lines and when each arrived (milliseconds
 * from spawn): until the kernel's first line, from it to the kernel's power-off line, and from
 * that line to the process's exit. The same three phases for our CLI and for QEMU's own
 * {@code -kernel} show which part of a ratio is the start, the guest or the exit.
 *
 * @param firstLineMs when the kernel's first line ("Booting Linux", "Linux version") arrived; -1 if none did
 * @param powerOffMs  when the kernel's "reboot: Power down" line arrived; -1 if none did
 */
record BootPhases(long totalMs, long firstLineMs, long powerOffMs) {
    /** A console line and when it arrived. */
    record Line(long atMs, String text) {
    }

    static BootPhases of(long totalMs, List<Line> lines) {
        long first = -1;
        long powerOff = -1;
        for (Line l : lines) {
            if (first < 0 && (l.text().contains("Booting Linux on physical CPU") || l.text().contains("Linux version "))) {
                first = l.atMs();
            }
            if (powerOff < 0 && l.text().contains("reboot: Power down")) {
                powerOff = l.atMs();
            }
        }
        return new BootPhases(totalMs, first, powerOff);
    }

    boolean complete() {
        return firstLineMs >= 0 && powerOffMs >= firstLineMs && totalMs >= powerOffMs;
    }

    long guestMs() {
        return powerOffMs - firstLineMs;
    }

    long exitMs() {
        return totalMs - powerOffMs;
    }

    /**
     * "first kernel line A | B; first line to power-off A | B; power-off to exit A | B" with the
     * medians of each side's complete runs ("-" where a side has none).
     */
    static String compare(List<BootPhases> ours, List<BootPhases> theirs) {
        return String.format(Locale.ROOT, "first kernel line %s | %s; first line to power-off %s | %s; power-off to exit %s | %s",
                median(ours, BootPhases::firstLineMs), median(theirs, BootPhases::firstLineMs),
                median(ours, BootPhases::guestMs), median(theirs, BootPhases::guestMs),
                median(ours, BootPhases::exitMs), median(theirs, BootPhases::exitMs));
    }

    private static String median(List<BootPhases> runs, ToLongFunction<BootPhases> phase) {
        List<Long> v = runs.stream().filter(BootPhases::complete).map(phase::applyAsLong).toList();
        return v.isEmpty() ? "-" : String.valueOf(BootBenchmark.median(v));
    }
}
