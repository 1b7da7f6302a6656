package dev.linuxvm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.launch.BackendChoice;
import dev.linuxvm.engine.launch.BackendSelector;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Issue #11, "nothing is lost, nothing leaks": a JVM killed with SIGKILL in the middle of a real
 * Debian guest's boot leaves no QEMU running. No shutdown hook runs on SIGKILL; what ends QEMU is
 * the executor's lifeline (the wrapper shell sees EOF on the pipe from the dead JVM and SIGKILLs
 * QEMU).
 */
class SigkillMidBootTest {
    /** How long QEMU may outlive its JVM: the wrapper reacts to EOF at once; this is slack for a loaded host. */
    static final Duration GONE_WITHIN = Duration.ofSeconds(5);

    @Test
    void qemu_is_gone_within_seconds_of_its_jvm_being_killed_mid_boot() throws Exception {
        assumeTrue(BackendSelector.availability(Arch.X86_64, BackendChoice.QEMU).available(), "needs qemu-system-x86_64");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process jvm = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                MidBootKillProbe.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = jvm.inputReader(StandardCharsets.UTF_8)) {
            String first = out.readLine();
            assertThat(first).as("the child JVM's first line").startsWith("qemu ");
            long pid = Long.parseLong(first.substring("qemu ".length()));
            ProcessHandle qemu = ProcessHandle.of(pid).orElseThrow();
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
            assertThat(out.readLine()).as("the child JVM's second line").isEqualTo("booting");
            assertThat(qemu.isAlive()).as("QEMU pid %d mid-boot", pid).isTrue();

            long t0 = System.nanoTime();
            jvm.destroyForcibly(); // SIGKILL
            assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).as("child JVM ends").isTrue();
            boolean gone = !qemu.onExit().completeOnTimeout(qemu, GONE_WITHIN.toMillis(), TimeUnit.MILLISECONDS).get().isAlive();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("QEMU pid %d gone %d ms after SIGKILL of its JVM%n", pid, ms);
            assertThat(gone).as("QEMU pid %d (%s) still running %s after its JVM was SIGKILLed", pid, cmdline, GONE_WITHIN)
                    .isTrue();
        } finally {
            jvm.destroyForcibly();
        }
    }
}
