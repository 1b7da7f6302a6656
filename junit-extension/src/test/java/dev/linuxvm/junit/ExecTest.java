package dev.linuxvm.junit;

import static dev.linuxvm.junit.LinuxVmAssertions.assertThat;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link SerialConsole#exec} against the echoing fake shell. */
class ExecTest {
    @TempDir
    Path dir;
    private ConsoleBuffer buffer;
    private FakeVm vm;
    private SerialConsole console;
    private final ByteArrayOutputStream typed = new ByteArrayOutputStream();

    @BeforeEach
    void boot() {
        buffer = new ConsoleBuffer(ConsoleBuffer.DEFAULT_CAPACITY, dir.resolve("console.log"));
        vm = new FakeVm(buffer, "aarch64", "console=ttyAMA0 panic=-1", () -> { });
        OutputStream guestInput = vm.consoleInput();
        OutputStream input = new OutputStream() { // what the console types, seen by the guest and by the test
            @Override
            public void write(int b) throws IOException {
                typed.write(b);
                guestInput.write(b);
            }
        };
        console = new SerialConsole(buffer, new SerialConsole.Wiring(input, () -> "running", dir,
                dir.resolve("console.log"), TimeoutScale.none())).within(ofSeconds(10));
        vm.boot();
        console.expect("linuxvm: userspace ready");
    }

    @AfterEach
    void stop() {
        vm.close();
        buffer.closeLog();
    }

    @Test
    void output_excludes_the_echoed_command_line_and_carriage_returns() {
        ExecResult r = console.exec("uname -m");
        assertThat(r.output()).isEqualTo("aarch64");
        assertThat(r.exitStatus()).isZero();
        // the echo really was there, with the markers' pieces but never the joined marker
        assertThat(console.text()).contains("printf '__LVM_%s_B__\\n' ");
        assertThat(console.transcript()).contains("\r\r\n"); // the echo was wrapped, as ash does
        assertThat(r).succeeded().outputContains("aarch64");
    }

    @ParameterizedTest(name = "a kernel message after \"{0}\"")
    @MethodSource("placesOfALateKernelMessage")
    void a_kernel_message_inside_the_markers_or_the_output_is_read_around(String after, String command, String output,
            int status) {
        // The kernel writes a late message straight to the UART, inside the line a process is printing.
        vm.interleaveNext(after, "[    5.000000] clocksource: Switched to clocksource tsc");
        ExecResult r = console.exec(command);
        assertThat(r.output()).isEqualTo(output);
        assertThat(r.exitStatus()).isEqualTo(status);
        assertThat(console.text()).contains("[    5.000000] clocksource: Switched to clocksource tsc");
        assertThat(console.exec("echo next").output()).as("the next exec starts after it").isEqualTo("next");
    }

    static Stream<Arguments> placesOfALateKernelMessage() {
        return Stream.of(
                Arguments.of("__LV", "echo hi", "hi", 0),        // inside the begin marker
                Arguments.of("_B__", "echo hi", "hi", 0),        // between the begin marker and its newline
                Arguments.of("hello wo", "echo hello world", "hello world", 0), // inside a line of output
                Arguments.of("_E", "false", "", 1),              // inside the end marker
                Arguments.of("_E_1", "frobnicate", "sh: frobnicate: not found", 127)); // between the status's digits
    }

    @Test
    void exit_status_comes_from_the_command() {
        assertThat(console.exec("false")).hasExitStatus(1);
        ExecResult missing = console.exec("frobnicate --now");
        assertThat(missing.exitStatus()).isEqualTo(127);
        assertThat(missing.output()).isEqualTo("sh: frobnicate: not found");
    }

    @Test
    void multi_line_output_and_single_quotes_survive() {
        ExecResult r = console.exec("echo 'it''s'; echo two; cat /proc/cmdline");
        assertThat(r.output()).isEqualTo("its\ntwo\nconsole=ttyAMA0 panic=-1");
    }

    @Test
    void consecutive_execs_do_not_see_each_others_output() {
        assertThat(console.exec("echo one").output()).isEqualTo("one");
        assertThat(console.exec("echo two").output()).isEqualTo("two");
        assertThat(console.exec("true").output()).isEmpty();
    }

    @Test
    void a_panic_during_exec_fails_fast_with_the_panic_line() {
        assertThatThrownBy(() -> console.exec("echo c > /proc/sysrq-trigger"))
                .isInstanceOfSatisfying(ConsoleException.GuestFailure.class,
                        e -> assertThat(e.line()).contains("Kernel panic - not syncing: sysrq triggered crash"));
    }

    @Test
    void exec_result_assertions_quote_command_and_output() {
        ExecResult r = console.exec("cat /nope");
        assertThatThrownBy(() -> assertThat(r).succeeded())
                .hasMessageContaining("Expected `cat /nope` to exit with status 0 but it exited with 1")
                .hasMessageContaining("| cat: can't open '/nope'");
        assertThatThrownBy(() -> assertThat(r).outputContains("hello"))
                .hasMessageContaining("to contain")
                .hasMessageContaining("\"hello\"");
    }

    @Test
    void grepping_the_kernel_log_for_failure_words_returns_the_count() {
        // the first thing a kernel test does; the echo of these quoted words must not fail fast
        ExecResult r = console.exec("dmesg | grep -c -e 'BUG:' -e 'Kernel panic' -e 'Oops'");
        assertThat(r).hasExitStatus(1).hasOutput("0");
        assertThat(console).hasNoKernelPanic();
    }

    static Stream<String> defaultMarkers() {
        return SerialConsole.DEFAULT_FAIL_FAST.stream();
    }

    @ParameterizedTest
    @MethodSource("defaultMarkers")
    void a_marker_typed_in_quotes_does_not_fail_fast_even_where_the_wrapped_echo_starts_with_it(String marker) {
        // 1. learn the column of the marker in the line exec types
        console.exec(grepFor(marker, 0));
        String[] lines = typed.toString(StandardCharsets.UTF_8).split("\n");
        int column = lines[lines.length - 1].indexOf(marker) % FakeVm.ECHO_WIDTH;
        // 2. shift it onto the wrap, so an echo line begins with the marker
        ExecResult r = console.exec(grepFor(marker, (FakeVm.ECHO_WIDTH - column) % FakeVm.ECHO_WIDTH));

        assertThat(console.lines()).as("an echo line starts with the marker").anyMatch(l -> l.startsWith(marker + "'"));
        assertThat(r).hasExitStatus(1).hasOutput("0");
        assertThat(console).hasNoKernelPanic();
    }

    /** {@code dmesg | grep -c -e '<marker>'} with {@code pad} more spaces before the pipe. */
    private static String grepFor(String marker, int pad) {
        return "dmesg " + " ".repeat(pad) + "| grep -c -e '" + marker + "'";
    }
}
