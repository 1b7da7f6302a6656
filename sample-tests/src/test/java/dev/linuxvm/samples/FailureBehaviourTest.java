package dev.linuxvm.samples;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.linuxvm.junit.ConsoleException;
import dev.linuxvm.junit.GuestArch;
import dev.linuxvm.junit.Lifecycle;
import dev.linuxvm.junit.LinuxVm;
import dev.linuxvm.junit.LinuxVmHandle;
import dev.linuxvm.junit.SerialConsole;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What a failing guest looks like from a test. The failures are asserted on, so the samples
 * pass; in a real test they would simply propagate and fail it with these messages.
 */
@LinuxVm(arch = GuestArch.X86_64, lifecycle = Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailureBehaviourTest {

    // tag::timeout[]
    @Test
    @Order(1)
    void aWaitForTextThatNeverComesTimesOutWithTheTail(SerialConsole console) {
        console.sendLine("echo still-here");
        SerialConsole shortWait = console.within(ofSeconds(1)); // ×4 under TCG: 4 s
        long start = System.nanoTime();

        assertThatThrownBy(() -> shortWait.expect("this line is never printed"))
                .isInstanceOf(ConsoleException.Timeout.class)
                .hasMessageContaining("this line is never printed")
                .hasMessageContaining("still-here"); // the transcript tail is in the message

        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        assertThat(waited).isBetween(shortWait.effectiveTimeout(), shortWait.effectiveTimeout().plusSeconds(5));
    }
    // end::timeout[]

    // tag::panic[]
    @Test
    @Order(2)
    void aKernelPanicFailsTheWaitAtOnceWithThePanicLines(SerialConsole console, LinuxVmHandle vm) {
        long start = System.nanoTime();

        assertThatThrownBy(() -> console.exec("echo c > /proc/sysrq-trigger"))
                .isInstanceOf(ConsoleException.GuestFailure.class)
                .hasMessageContaining("sysrq: Trigger a crash")
                .satisfies(e -> assertThat(((ConsoleException.GuestFailure) e).line()).contains("Kernel panic"));

        // fail-fast: far below the exec timeout
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(console.effectiveTimeout());
        // panic=-1 (in the default cmdline) reboots at once, which ends the VM
        vm.awaitExit(ofSeconds(30));
        assertThat(vm.state()).isEqualTo(LinuxVmHandle.State.RESET);
    }
    // end::panic[]
}
