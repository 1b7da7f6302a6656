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
        Thread waiter = new Thread(() -> {
            try {
                watcher.awaitUserspace();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        feed("[    1.9] Run /init as init process\r\necho 'linuxvm: userspace ready' in a log\r\n");
        waiter.join(200);
        assertThat(waiter.isAlive()).as("gate still closed before the marker line").isTrue();
        feed("linuxvm: userspace ready\r\n");
        waiter.join(5000);
        assertThat(waiter.isAlive()).as("gate open after the marker line").isFalse();
    }
}
