package dev.linuxvm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ConsoleWatcherTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ConsoleWatcher watcher = new ConsoleWatcher(out);

    private void feed(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        watcher.onOutput(b, 0, b.length);
    }

    @Test
    void copies_the_console_unchanged() {
        feed("[    0.000000] Linux version 6.1\r\n~ # \u0007");
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo("[    0.000000] Linux version 6.1\r\n~ # \u0007");
    }

    @Test
    void exec_status_is_the_last_exit_line_even_when_split_across_reads() {
        feed("linuxvm: exit 7\r\nmore\r\nlinuxvm: ex");
        feed("it 42\r\n[    2.1] reboot: Power down\r\n");
        assertThat(watcher.execStatus()).hasValue(42);
    }

    @Test
    void the_status_follows_output_that_did_not_end_its_line() {
        feed("linuxvm virt" + "linuxvm: exit 3\r\n[    1.1] reboot: Power down\r\n"); // cat /proc/device-tree/model
        assertThat(watcher.execStatus()).hasValue(3);
    }

    @Test
    void exit_text_inside_a_longer_line_is_not_a_status() {
        feed("echo 'linuxvm: exit 5' is what init prints\r\n");
        assertThat(watcher.execStatus()).isEmpty();
    }

    @Test
    void panic_line_without_timestamp_and_its_end_marker() {
        feed("[    2.345678] sysrq: Trigger a crash\r\n");
        feed("[    2.345999] Kernel panic - not syncing: sysrq triggered crash\r\n");
        assertThat(watcher.panicLine()).isEqualTo("Kernel panic - not syncing: sysrq triggered crash");
        assertThat(watcher.panicEndNanos()).isZero();
        feed("[    2.400000] ---[ end Kernel panic - not syncing: sysrq triggered crash ]---\r\n");
        assertThat(watcher.panicEndNanos()).isPositive();
        assertThat(watcher.panicLine()).isEqualTo("Kernel panic - not syncing: sysrq triggered crash");
    }

    @Test
    void last_line_prefers_the_unfinished_prompt_and_strips_control_bytes() {
        feed("[    1.500000] Run /init as init process\r\n\r\n");
        assertThat(watcher.lastLine()).isEqualTo("Run /init as init process");
        feed("\u001b[6n~ # ");
        assertThat(watcher.lastLine()).isEqualTo("[6n~ #");
    }

    @Test
    void userspace_gate_opens_on_the_ready_marker_line() throws Exception {
        Thread waiter = awaitingUserspace();
        feed("[    1.9] Run /init as init process\r\necho 'linuxvm: userspace ready' in a log\r\n");
        waiter.join(200);
        assertThat(waiter.isAlive()).as("gate still closed before the marker line").isTrue();
        feed("linuxvm: userspace ready\r\n");
        waiter.join(5000);
        assertThat(waiter.isAlive()).as("gate open after the marker line").isFalse();
    }

    @Test
    void a_kernel_message_inside_the_exit_line_is_read_around() {
        // As a guest slowed down printed it: the message between the status and the line's newline.
        feed("linuxvm: exit 0[    2.557328] clocksource: Switched to clocksource tsc\r\n\r\n");
        feed("[    2.570667] ACPI: PM: Preparing to enter system sleep state S5\r\n[    2.578022] reboot: Power down\r\n");
        assertThat(watcher.execStatus()).hasValue(0);
        assertThat(watcher.lastLine()).isEqualTo("reboot: Power down");
    }

    @Test
    void kernel_messages_splitting_the_status_digits_leave_the_status_whole() {
        feed("linuxvm: exit 1[    2.500000] random: crng init done\r\n");
        feed("[    2.500100] clocksource: Switched to clocksource tsc\r\n27\r\n");
        assertThat(watcher.execStatus()).hasValue(127);
    }

    @Test
    void a_status_whose_rest_never_came_is_still_read() {
        feed("linuxvm: exit 9[    2.600000] reboot: Power down\r\n");
        assertThat(watcher.execStatus()).hasValue(9);
    }

    @Test
    void a_kernel_panic_inside_a_process_line_is_seen() {
        feed("partial output[    3.000000] Kernel panic - not syncing: Attempted to kill init!\r\n");
        assertThat(watcher.panicLine()).isEqualTo("Kernel panic - not syncing: Attempted to kill init!");
    }

    @Test
    void userspace_gate_opens_on_a_ready_marker_a_kernel_message_broke_into() throws Exception {
        Thread waiter = awaitingUserspace();
        feed("linuxvm: userspa[    1.000000] clocksource: Switched to clocksource tsc\r\nce ready\r\n");
        waiter.join(5000);
        assertThat(waiter.isAlive()).as("gate open after the marker line").isFalse();
    }

    /** A started thread that waits for the userspace gate to open. */
    private Thread awaitingUserspace() {
        Thread waiter = new Thread(() -> {
            try {
                watcher.awaitUserspace();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        return waiter;
    }
}
