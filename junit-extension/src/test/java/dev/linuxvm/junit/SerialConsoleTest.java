package dev.linuxvm.junit;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.linuxvm.engine.backend.VmExit;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SerialConsoleTest {
    @TempDir
    Path dir;

    private ConsoleBuffer buffer;
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private String state = "running";

    private SerialConsole console(int capacity) {
        buffer = new ConsoleBuffer(capacity, dir.resolve("console.log"));
        return new SerialConsole(buffer, new SerialConsole.Wiring(sent, () -> state, dir, dir.resolve("console.log"),
                TimeoutScale.none()));
    }

    private SerialConsole console() {
        return console(ConsoleBuffer.DEFAULT_CAPACITY);
    }

    private void write(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        buffer.onOutput(b, 0, b.length);
    }

    /** Writes from another thread after {@code delayMs}, like a guest would. */
    private CompletableFuture<Void> writeLater(long delayMs, String... chunks) {
        return CompletableFuture.runAsync(() -> {
            for (String c : chunks) {
                write(c);
            }
        }, CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS));
    }

    @AfterEach
    void closeLog() {
        if (buffer != null) {
            buffer.closeLog();
        }
    }

    @Test
    void the_ready_marker_is_found_with_a_kernel_message_inside_it() {
        SerialConsole c = console();
        write("[    0.900000] Run /init as init process\r\nlinuxvm: userspa");
        CompletableFuture<Void> rest = writeLater(50, "[    1.000000] clocksource: Switched to clocksource tsc\r\n",
                "ce ready\r\n~ # ");
        Match m = c.within(ofSeconds(10)).awaitMarkerAnywhere("linuxvm: userspace ready");
        rest.join();
        assertThat(m.before()).isEqualTo("[    0.900000] Run /init as init process\r\n");
        assertThat(c.text()).as("nothing consumed").startsWith("[    0.900000] Run /init");
    }

    @Test
    void waiting_reader_sees_text_written_later_by_another_thread() throws Exception {
        SerialConsole c = console();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 2000; i++) {
                write("line " + i + "\r\n");
            }
            write("~ # ");
        });
        Match m = c.within(ofSeconds(10)).expect("line 1999\r\n");
        assertThat(m.before()).startsWith("line 0\r\n").endsWith("line 1998\r\n");
        assertThat(c.within(ofSeconds(10)).expect("~ #").before()).isEmpty();
        writer.get();
    }

    @Test
    void expect_consumes_so_the_next_expect_needs_a_new_occurrence() {
        SerialConsole c = console();
        write("~ # first\n~ # ");
        c.expect("~ #");
        c.expect("~ #");
        assertThatThrownBy(() -> c.within(ofMillis(100)).expect("~ #")).isInstanceOf(ConsoleException.Timeout.class);
    }

    @Test
    void literal_split_across_two_writes_is_found() {
        SerialConsole c = console();
        write("xxxx linuxvm: user");
        assertThatThrownBy(() -> c.within(ofMillis(50)).expect("linuxvm: userspace ready"))
                .isInstanceOf(ConsoleException.Timeout.class);
        writeLater(50, "space ready\n");
        Match m = c.within(ofSeconds(5)).expect("linuxvm: userspace ready");
        assertThat(m.before()).isEqualTo("xxxx ");
        assertThat(m.position()).isEqualTo(5);
    }

    @Test
    void pattern_split_across_two_writes_is_found_with_groups() {
        SerialConsole c = console();
        writeLater(30, "[    1.2] Freeing unused kernel memory: 12", "34K\n");
        Match m = c.within(ofSeconds(5)).expect(Pattern.compile("Freeing unused kernel memory: (\\d+)K"));
        assertThat(m.group(1)).isEqualTo("1234");
        assertThat(m.before()).isEqualTo("[    1.2] ");
    }

    @Test
    void pattern_anchored_at_line_start_matches_after_many_searched_chunks() {
        SerialConsole c = console();
        StringBuilder noise = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            noise.append("noise line ").append(i).append('\n');
        }
        write(noise.toString());
        Pattern p = Pattern.compile("(?m)^ready (\\w+)$");
        writeLater(30, "rea", "dy go", "ne\n");
        assertThat(c.within(ofSeconds(5)).expect(p).group(1)).isEqualTo("gone");
    }

    @Test
    void multi_line_pattern_whose_start_was_already_searched_is_still_found() {
        SerialConsole c = console();
        write("noise\nBEGIN block\n");
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            body.append("body ").append(i).append('\n');
        }
        writeLater(30, body.toString(), "END\n");
        Match m = c.within(ofSeconds(5)).expect(Pattern.compile("(?s)BEGIN(.*?)END"));
        assertThat(m.before()).isEqualTo("noise\n");
        assertThat(m.group(1)).startsWith(" block\nbody 0\n").endsWith("body 49\n");
    }

    @Test
    void pattern_wait_over_byte_by_byte_output_stays_fast() throws Exception {
        SerialConsole c = console();
        byte[] out = ("x".repeat(100) + "\n").repeat(5000).concat("done 42\n").getBytes(StandardCharsets.UTF_8);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < out.length; i++) {
                buffer.onOutput(out, i, 1); // a UART hands over one byte at a time
            }
        });
        long t0 = System.nanoTime();
        assertThat(c.within(ofSeconds(20)).expect(Pattern.compile("done (\\d+)\n")).group(1)).isEqualTo("42");
        writer.get();
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void fail_fast_marker_aborts_the_wait_at_once() {
        SerialConsole c = console();
        writeLater(50, "[    3.0] Kernel panic - not syncing: Attempted to kill init!\n");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.within(ofSeconds(30)).expect("never"))
                .isInstanceOfSatisfying(ConsoleException.GuestFailure.class, e -> {
                    assertThat(e.marker()).isEqualTo("Kernel panic");
                    assertThat(e.line()).isEqualTo("[    3.0] Kernel panic - not syncing: Attempted to kill init!");
                })
                .hasMessageContaining("fail-fast marker \"Kernel panic\"")
                .hasMessageContaining("waiting for \"never\"");
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void fail_fast_markers_are_configurable_and_ignored_before_a_match() {
        SerialConsole c = console();
        write("ok here\nBUG: later\n");
        assertThat(c.expect("ok here").text()).isEqualTo("ok here"); // the match comes first
        write("custom-death\n");
        assertThatThrownBy(() -> c.failFastOn("custom-death").within(ofSeconds(10)).expect("x"))
                .isInstanceOf(ConsoleException.GuestFailure.class);
        write("BUG: again\nfine\n");
        assertThat(c.failFastOn().expect("fine").text()).isEqualTo("fine");
    }

    @Test
    void within_returns_a_new_view_and_leaves_the_original_unchanged() {
        SerialConsole c = console();
        SerialConsole shorter = c.within(ofSeconds(3)).failFastOn("x");
        assertThat(c.effectiveTimeout()).isEqualTo(SerialConsole.DEFAULT_TIMEOUT);
        assertThat(c.failFastMarkers()).isEqualTo(SerialConsole.DEFAULT_FAIL_FAST);
        assertThat(shorter.effectiveTimeout()).isEqualTo(ofSeconds(3));
        assertThat(shorter.failFastMarkers()).containsExactly("x");
    }

    @Test
    void timeout_message_names_expectation_wait_state_report_and_last_40_lines() {
        SerialConsole c = console();
        for (int i = 1; i <= 100; i++) {
            write("boot line " + i + "\r\n");
        }
        state = "powered off? no: running";
        assertThatThrownBy(() -> c.within(ofMillis(200)).expect("login:"))
                .isInstanceOfSatisfying(ConsoleException.Timeout.class, e -> {
                    String msg = e.getMessage();
                    assertThat(msg).contains("Timed out waiting for \"login:\"")
                            .containsPattern("waited: +\\d+ ms of 200 ms")
                            .contains("VM state: powered off? no: running")
                            .contains("report:   " + dir)
                            .contains("last 40 console lines:")
                            .contains("  | boot line 61\n")
                            .contains("  | boot line 100\n")
                            .doesNotContain("boot line 60\n")
                            .doesNotContain("\r");
                    assertThat(e.tail().lines()).hasSize(40);
                });
    }

    @Test
    void a_guest_exit_wakes_the_waiter_with_the_exit() {
        SerialConsole c = console();
        CompletableFuture.runAsync(() -> buffer.markGuestEnded(new VmExit.PoweredOff().describe()),
                CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.within(ofSeconds(30)).expect("x"))
                .isInstanceOf(ConsoleException.VmEnded.class)
                .hasMessageContaining("The guest ended (powered off)");
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void window_stays_bounded_while_the_log_file_keeps_everything() throws Exception {
        SerialConsole c = console(64 * 1024);
        for (int i = 0; i < 100_000; i++) { // ~1.6 MB of output
            write("output line " + i + "\r\n");
        }
        write("the end\r\n");
        assertThat(c.transcript().length()).isLessThanOrEqualTo(64 * 1024);
        assertThat(c.transcript()).doesNotContain("output line 0\r\n").endsWith("output line 99999\r\nthe end\r\n");
        // the cursor was at 0: text dropped from the window is skipped, the wait still works
        assertThat(c.expect("the end").before()).endsWith("output line 99999\r\n");
        buffer.closeLog();
        List<String> log = Files.readAllLines(dir.resolve("console.log"));
        assertThat(log).hasSize(100_001);
        assertThat(log.get(0)).matches("\\[ *\\d+\\.\\d{6}\\] output line 0");
        assertThat(log.get(100_000)).endsWith("] the end");
    }

    @Test
    void utf8_sequence_split_between_writes_decodes() {
        SerialConsole c = console();
        byte[] b = "température\n".getBytes(StandardCharsets.UTF_8);
        buffer.onOutput(b, 0, 5); // "temp" + first byte of é
        buffer.onOutput(b, 5, b.length - 5);
        assertThat(c.text()).isEqualTo("température\n");
    }

    @Test
    void text_can_be_polled_with_awaitility() {
        SerialConsole c = console();
        writeLater(50, "hello from the guest\n");
        await().atMost(ofSeconds(5)).until(() -> c.text().contains("hello from the guest"));
        assertThat(c.lines()).containsExactly("hello from the guest");
        assertThat(c.tail(1)).containsExactly("hello from the guest");
    }

    // ---- the fail-fast rule ----------------------------------------------------------------

    /** Lines as Linux 6.1 prints them on x86_64 and arm64 (source file in the comment), each with the marker it trips. */
    static Stream<Arguments> realFailureLines() {
        return Stream.of(
                // kernel/panic.c, both arches
                Arguments.of("[    6.108436] Kernel panic - not syncing: sysrq triggered crash", "Kernel panic"),
                // arch/x86/mm/fault.c
                Arguments.of("[    2.345678] BUG: kernel NULL pointer dereference, address: 0000000000000000", "BUG:"),
                // mm/kasan/report.c
                Arguments.of("[    4.000000] BUG: KASAN: slab-out-of-bounds in foo+0x10/0x20", "BUG:"),
                // arch/x86/kernel/dumpstack.c, __die_header
                Arguments.of("[    2.345700] Oops: 0002 [#1] PREEMPT SMP NOPTI", "Oops"),
                // arch/arm64/kernel/traps.c, __die: die("Oops") from a fault, die("Oops - BUG") from BUG()
                Arguments.of("[    2.345678] Internal error: Oops: 0000000096000045 [#1] PREEMPT SMP", "Internal error: Oops"),
                Arguments.of("[    3.100000] Internal error: Oops - BUG: 00000000f2000800 [#1] PREEMPT SMP", "Internal error: Oops"),
                // mm/kasan/report.c, kasan_non_canonical_hook (x86 general protection fault)
                Arguments.of("[    4.000000] KASAN: null-ptr-deref in range [0x0000000000000000-0x0000000000000007]", "KASAN:"),
                // arch/x86/kernel/dumpstack.c, __show_trace_log_lvl
                Arguments.of("[    2.345800] Call Trace:", "Call Trace:"),
                // kernel/watchdog.c, pr_fmt "watchdog: "
                Arguments.of("[   26.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [sh:1]", "watchdog: BUG:"),
                // CONFIG_PRINTK_CALLER adds the caller after the time
                Arguments.of("[    6.108436][    T1] Kernel panic - not syncing: Attempted to kill init!", "Kernel panic"),
                // printk.time=0
                Arguments.of("Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)", "Kernel panic"));
    }

    @Test
    void the_real_failure_lines_cover_every_default_marker() {
        assertThat(realFailureLines().map(a -> a.get()[1])).containsAll(SerialConsole.DEFAULT_FAIL_FAST);
    }

    @ParameterizedTest
    @MethodSource("realFailureLines")
    void a_real_failure_line_fails_fast_with_its_marker(String line, String marker) {
        SerialConsole c = console();
        c.sendLine("echo c > /proc/sysrq-trigger");
        writeLater(30, "~ # echo c > /proc/sysrq-trigger\r\n", "[    6.100000] sysrq: Trigger a crash\r\n", line + "\r\n");
        assertWaitFailsOn(c, marker, line);
    }

    @Test
    void a_marker_inside_a_line_does_not_fail_fast() {
        SerialConsole c = console();
        write("[    0.000000] Kernel command line: console=ttyS0 note='BUG: Oops Call Trace:'\r\n");
        write("grep: Kernel panic: No such file or directory\r\n~ # ");
        assertThat(c.within(ofSeconds(5)).expect("~ # ").before()).endsWith("No such file or directory\r\n");
    }

    @ParameterizedTest
    @MethodSource("dev.linuxvm.junit.ExecTest#defaultMarkers")
    void expect_is_not_failed_by_the_wrapped_echo_of_a_marker_typed_in_quotes(String marker) {
        SerialConsole c = console();
        write("~ # ");
        c.sendLine("dmesg | grep -c -e '" + marker + "'");
        // ash wraps the echo right before the marker
        writeLater(30, "dmesg | grep -c -e '\r\r\n", marker + "'\r\n", "0\r\n~ # ");
        assertThat(c.within(ofSeconds(5)).expect("\n0\r\n").before()).endsWith(marker + "'\r");
        // a line the host did not type that starts with the marker does fail
        write("\r\n" + marker + " from the guest\r\n");
        assertThatThrownBy(() -> c.within(ofSeconds(5)).expect("never"))
                .isInstanceOfSatisfying(ConsoleException.GuestFailure.class, e -> assertThat(e.marker()).isEqualTo(marker));
    }

    @Test
    void a_line_typed_without_a_prompt_is_echo_too() {
        SerialConsole c = console();
        c.sendLine("Oops, this went to cat");
        write("Oops, this went to cat\r\n");
        write("done\r\n");
        assertThat(c.within(ofSeconds(5)).expect("done").text()).isEqualTo("done");
    }

    @Test
    void a_kernel_line_that_begins_like_typed_text_fails_once_it_goes_on() {
        SerialConsole c = console();
        c.sendLine("dmesg | grep -c -e 'Kernel panic'");
        write("Kernel panic"); // so far a piece of what was typed
        writeLater(50, " - not syncing: Attempted to kill init!\r\n");
        long t0 = System.nanoTime();
        assertWaitFailsOn(c, "Kernel panic - not syncing: Attempted to kill init!");
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void a_timestamp_arriving_in_pieces_still_fails_fast() {
        SerialConsole c = console();
        writeLater(30, "[    6.10", "8436] Ker", "nel panic - not syncing: x\r\n");
        assertWaitFailsOn(c, "[    6.108436] Kernel panic - not syncing: x");
    }

    /** The real failure lines with printk's time prefix: without it, one inside a line is not told from text. */
    static Stream<Arguments> realFailureLinesWithTime() {
        return realFailureLines().filter(a -> ((String) a.get()[0]).startsWith("["));
    }

    @ParameterizedTest
    @MethodSource("realFailureLinesWithTime")
    void a_failure_the_kernel_prints_after_a_prompt_fails_fast(String line, String marker) {
        // The shell waits at its prompt; the kernel writes its message on the same line.
        SerialConsole c = console();
        write("~ # ");
        writeLater(30, line.substring(0, 9), line.substring(9) + "\r\n");
        long t0 = System.nanoTime();
        assertWaitFailsOn(c, marker, line);
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void a_failure_inside_a_long_unfinished_line_fails_fast_when_it_comes_later() {
        SerialConsole c = console();
        write("progress: " + "#".repeat(200));
        writeLater(50, "[   12.000", "000] BUG: kernel NULL pointer dereference, address: 0000000000000008\r\n");
        assertWaitFailsOn(c, "[   12.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008");
    }

    @Test
    void a_kernel_prefix_the_host_typed_inside_a_line_does_not_fail_fast() {
        SerialConsole c = console();
        write("~ # ");
        c.sendLine("echo '[    1.000000] BUG: not really'");
        write("echo '[    1.000000] BUG: not really'\r\n[    1.000000] BUG: not really'\r\n~ # ");
        assertThat(c.within(ofSeconds(5)).expect("really'\r\n~ # ").text()).isEqualTo("really'\r\n~ # ");
    }

    @Test
    void a_failure_quotes_its_line_whole_when_the_rest_comes_after_the_marker() {
        SerialConsole c = console();
        write("[    4.865751] BUG:");
        writeLater(100, " kernel NULL pointer dereference, address: 0000000000000008\r\n");
        assertWaitFailsOn(c, "[    4.865751] BUG: kernel NULL pointer dereference, address: 0000000000000008");
    }

    @Test
    void a_failing_line_that_never_ends_fails_with_what_came() {
        SerialConsole c = console();
        write("[    1.000000] Kernel panic - not syncing: x");
        long t0 = System.nanoTime();
        assertWaitFailsOn(c, "[    1.000000] Kernel panic - not syncing: x");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(SerialConsole.FAIL_LINE_WAIT.plusSeconds(2));
    }

    /** A 30 s wait on {@code c} fails with the guest failure that quotes {@code line}. */
    private static void assertWaitFailsOn(SerialConsole c, String line) {
        assertThatThrownBy(() -> c.within(ofSeconds(30)).expect("never"))
                .isInstanceOfSatisfying(ConsoleException.GuestFailure.class, e -> assertThat(e.line()).isEqualTo(line));
    }

    /** {@link #assertWaitFailsOn(SerialConsole, String)}, and the failure names {@code marker}. */
    private static void assertWaitFailsOn(SerialConsole c, String marker, String line) {
        assertThatThrownBy(() -> c.within(ofSeconds(30)).expect("never"))
                .isInstanceOfSatisfying(ConsoleException.GuestFailure.class, e -> {
                    assertThat(e.marker()).isEqualTo(marker);
                    assertThat(e.line()).isEqualTo(line);
                });
    }
}
