package dev.linuxvm.junit;

import java.nio.file.Path;
import java.util.List;

/**
 * Attached as a suppressed exception to any other failure of a test with a guest, so every
 * failure report names the report directory and quotes the console tail.
 */
public final class GuestReport extends Exception {
    private final Path reportDir;

    GuestReport(Path reportDir, String vmState, List<String> tail) {
        super(message(reportDir, vmState, tail), null, false, false);
        this.reportDir = reportDir;
    }

    public Path reportDir() {
        return reportDir;
    }

    private static String message(Path reportDir, String vmState, List<String> tail) {
        StringBuilder sb = new StringBuilder("linuxvm guest report: ").append(reportDir)
                .append("\n  VM state: ").append(vmState)
                .append("\n  last ").append(tail.size()).append(" console lines:");
        for (String l : tail) {
            sb.append("\n  | ").append(l);
        }
        return sb.toString();
    }
}
