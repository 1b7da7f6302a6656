package dev.linuxvm.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One in-process run of {@link LinuxVmCli#run}: its status, stdout (the console) and stderr. */
record CliRun(int status, String out, String err) {

    static CliRun of(InputStream in, String... args) {
        return of(in, new ByteArrayOutputStream(), args);
    }

    static CliRun of(InputStream in, ByteArrayOutputStream stdout, String... args) {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = LinuxVmCli.run(args, in, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        return new CliRun(status, stdout.toString(StandardCharsets.ISO_8859_1), stderr.toString(StandardCharsets.UTF_8));
    }

    static CliRun of(String... args) {
        return of(InputStream.nullInputStream(), args);
    }

    /** The stderr lines. */
    List<String> errLines() {
        return err.lines().toList();
    }

    /** The last stderr line (the outcome line), or "". */
    String lastErrLine() {
        List<String> l = errLines();
        return l.isEmpty() ? "" : l.get(l.size() - 1);
    }

    /** For assertion messages: status, stderr and the console's last lines. */
    String describe() {
        List<String> console = out.lines().toList();
        return "status " + status + "\nstderr:\n" + err + "\nconsole tail:\n"
                + String.join("\n", console.subList(Math.max(0, console.size() - 30), console.size()));
    }
}
