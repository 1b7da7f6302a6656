package dev.linuxvm.junit;

import static dev.linuxvm.junit.LinuxVmAssertions.assertThat;
import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SerialConsoleAssertTest {
    @TempDir
    Path dir;
    private final ConsoleBuffer buffer = new ConsoleBuffer(1 << 16, null);
    private SerialConsole console() {
        return new SerialConsole(buffer, new SerialConsole.Wiring(OutputStream.nullOutputStream(), () -> "running", dir,
                null, TimeoutScale.none()));
    }

    private void write(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        buffer.onOutput(b, 0, b.length);
    }

    @AfterEach
    void close() {
        buffer.closeLog();
    }

    @Test
    void contains_quotes_the_tail_when_it_fails() {
        write("hello\r\nworld 100%\r\n");
        assertThat(console()).contains("world").doesNotContain("panic");
        assertThatThrownBy(() -> assertThat(console()).contains("goodbye"))
                .hasMessageContaining("Expected the serial console to contain")
                .hasMessageContaining("\"goodbye\"")
                .hasMessageContaining("VM state: running")
                .hasMessageContaining("report: " + dir)
                .hasMessageContaining("  | world 100%");
    }

    @Test
    void eventually_contains_waits_for_later_output_without_consuming_it() {
        CompletableFuture.runAsync(() -> write("late line\n"), CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
        assertThat(console()).eventuallyContainsWithin("late line", ofSeconds(5));
        assertThat(console().expect("late line").before()).isEmpty(); // still there for expect
    }

    @Test
    void eventually_contains_fails_after_its_timeout_with_the_console_message() {
        write("booting\n");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> assertThat(console()).eventuallyContainsWithin("login:", ofMillis(150)))
                .hasMessageContaining("Expected the serial console to eventually contain")
                .hasMessageContaining("Timed out waiting for \"login:\"")
                .hasMessageContaining("  | booting");
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
    }

    @Test
    void has_no_kernel_panic_names_the_marker_and_line() {
        write("all fine\n");
        assertThat(console()).hasNoKernelPanic();
        write("[ 1.0] BUG: kernel NULL pointer dereference, address: 0000000000000000\n");
        assertThatThrownBy(() -> assertThat(console()).hasNoKernelPanic())
                .hasMessageContaining("found \"BUG:\"")
                .hasMessageContaining("[ 1.0] BUG: kernel NULL pointer dereference");
    }

    @Test
    void has_no_kernel_panic_ignores_the_echo_and_markers_inside_lines() {
        SerialConsole c = console();
        c.sendLine("dmesg | grep -c -e 'BUG:' -e 'Kernel panic' -e 'Oops'");
        write("~ # dmesg | grep -c -e '\r\r\nBUG:' -e 'Kernel panic' -e 'Oops'\r\n0\r\n");
        write("[    0.000000] Kernel command line: console=ttyS0 note='Call Trace:'\r\n");
        assertThat(c).hasNoKernelPanic();
        write("[    9.000000] Internal error: Oops: 0000000096000045 [#1] PREEMPT SMP\r\n");
        assertThatThrownBy(() -> assertThat(c).hasNoKernelPanic())
                .hasMessageContaining("found \"Internal error: Oops\"")
                .hasMessageContaining("[    9.000000] Internal error: Oops: 0000000096000045");
    }
}
