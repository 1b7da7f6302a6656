package dev.linuxvm.kernels;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one host tool to completion, capturing its output; failures become ProvisioningExceptions. */
final class HostCommand {
    private static final long TIMEOUT_MINUTES = 15;
    private static final int STDERR_TAIL = 1500;

    private HostCommand() {
    }

    /** Whether {@code tool} is an executable on PATH. */
    static boolean onPath(String tool) {
        return onPath(tool, System.getenv("PATH"));
    }

    /** Whether {@code tool} is an executable in one of the directories of {@code path}. */
    static boolean onPath(String tool, String path) {
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code cmd} in {@code cwd}; returns stdout; throws with stderr's tail on a nonzero exit. */
    static String run(Path cwd, List<String> cmd) {
        Path err = null;
        try {
            err = Files.createTempFile("linuxvm-cmd", ".err");
            Process p = new ProcessBuilder(cmd).directory(cwd == null ? null : cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new ProvisioningException("'" + String.join(" ", cmd) + "' did not finish within "
                    + TIMEOUT_MINUTES + " minutes");
            }
            if (p.exitValue() != 0) {
                String stderr = Files.readString(err).trim();
                if (stderr.length() > STDERR_TAIL) {
                    stderr = "..." + stderr.substring(stderr.length() - STDERR_TAIL);
                }
                throw new CommandFailedException(cmd, p.exitValue(), stderr);
            }
            return out;
        } catch (IOException e) {
            throw new ProvisioningException("cannot run '" + String.join(" ", cmd) + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProvisioningException("interrupted while running '" + String.join(" ", cmd) + "'", e);
        } finally {
            if (err != null) {
                try {
                    Files.deleteIfExists(err);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    /** A host command exited nonzero. */
    static final class CommandFailedException extends ProvisioningException {
        final String stderr;

        CommandFailedException(List<String> cmd, int exit, String stderr) {
            super("'" + String.join(" ", cmd) + "' failed with exit status " + exit
                + (stderr.isEmpty() ? "" : ": " + stderr));
            this.stderr = stderr;
        }
    }
}
