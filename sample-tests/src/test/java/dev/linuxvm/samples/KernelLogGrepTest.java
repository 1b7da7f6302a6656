package dev.linuxvm.samples;

import static dev.linuxvm.junit.LinuxVmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.linuxvm.junit.GuestArch;
import dev.linuxvm.junit.Lifecycle;
import dev.linuxvm.junit.LinuxVm;
import dev.linuxvm.junit.SerialConsole;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Grepping the kernel log for failure words on a healthy guest: the words the host types (and
 * the terminal echoes) are not the kernel reporting a failure, so nothing fails fast.
 */
@LinuxVm(arch = GuestArch.X86_64, lifecycle = Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelLogGrepTest {

    // tag::grep[]
    @Test
    @Order(1)
    void grepTheKernelLogForFailureWords(SerialConsole console) {
        // grep -c prints the count; it exits 1 when no line matched
        assertThat(console.exec("dmesg | grep -c -e 'BUG:' -e 'Kernel panic' -e 'Oops'"))
                .hasExitStatus(1)
                .hasOutput("0");
        assertThat(console).hasNoKernelPanic();
    }
    // end::grep[]

    @Test
    @Order(2)
    void markersTypedInQuotesDoNotFailAnExpect(SerialConsole console) {
        // long enough that ash wraps the echo, so pieces of it start console lines
        console.sendLine("echo \"failure lines: $(dmesg | grep -c -e 'Call Trace:' -e 'Internal error: Oops'"
                + " -e 'KASAN:' -e 'watchdog: BUG:' -e 'Kernel panic')\"");
        assertThat(console.expect("failure lines: 0").text()).isEqualTo("failure lines: 0");
        // at 80 columns the echo's second line starts with the typed Oops: still not a kernel line
        assertThat(console.lines()).anyMatch(line -> line.startsWith("Oops' -e 'KASAN:'"));
        assertThat(console).hasNoKernelPanic();
    }
}
