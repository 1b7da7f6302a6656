package dev.linuxvm.samples;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.linuxvm.junit.ConsoleException;
import dev.linuxvm.junit.ExecResult;
import dev.linuxvm.junit.GuestArch;
import dev.linuxvm.junit.LinuxVm;
import dev.linuxvm.junit.SerialConsole;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The kernel writes its messages straight to the UART, so one printed while a process is half
 * way through a line lands inside it. Here the guest's kernel prints a message (written to
 * /dev/kmsg) between the two halves of a line, and after the shell's prompt.
 */
@LinuxVm(arch = GuestArch.X86_64)
class KernelMessageInsideALineTest {

    @Test
    void execOutputLeavesOutAMessageThatBrokeIntoItsLine(SerialConsole console) {
        ExecResult r = console.exec("printf 'hello wo'; echo '<3>linuxvm-sample: a late message' > /dev/kmsg; echo rld");

        assertThat(r.output()).isEqualTo("hello world");
        assertThat(r.exitStatus()).isZero();
        // the kernel did print it inside the line, with its timestamp
        assertThat(console.transcript()).containsPattern("hello wo\\[ *\\d+\\.\\d{6}\\] linuxvm-sample: a late message\r\n");
    }

    @Test
    void aFailureTheKernelPrintsAfterThePromptFailsFast(SerialConsole console) {
        // The exec returns at once; half a second later the kernel prints behind the prompt.
        console.exec("(sleep 0.5; echo '<0>BUG: linuxvm-sample behind the prompt' > /dev/kmsg) &");
        long start = System.nanoTime();

        assertThatThrownBy(() -> console.expect("this line is never printed"))
                .isInstanceOfSatisfying(ConsoleException.GuestFailure.class, e -> {
                    assertThat(e.marker()).isEqualTo("BUG:");
                    assertThat(e.line()).matches("\\[ *\\d+\\.\\d{6}\\] BUG: linuxvm-sample behind the prompt");
                });
        // behind the prompt on its line (after ash's cursor query, ESC [6n), with any other late
        // kernel messages before it (seen: x86_64's "clocksource: Switched to clocksource tsc")
        assertThat(console.transcript()).containsPattern("~ # (?:\u001b\\[6n)?(?:\\[ *\\d+\\.\\d{6}\\] [^\\n]*\\n)*"
                + "\\[ *\\d+\\.\\d{6}\\] BUG: linuxvm-sample behind the prompt");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(console.effectiveTimeout());
    }
}
