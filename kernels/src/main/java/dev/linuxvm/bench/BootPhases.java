package dev.linuxvm.bench;

import java.util.List;
import java.util.Locale;

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
                median(ours, 0), median(theirs, 0), median(ours, 1), median(theirs, 1), median(ours, 2), median(theirs, 2));
    }

    private static String median(List<BootPhases> runs, int phase) {
        List<Long> v = runs.stream().filter(BootPhases::complete)
                .map(r -> phase == 0 ? r.firstLineMs() : phase == 1 ? r.guestMs() : r.exitMs()).sorted().toList();
        return v.isEmpty() ? "-" : String.valueOf(v.get(v.size() / 2));
    }
}
