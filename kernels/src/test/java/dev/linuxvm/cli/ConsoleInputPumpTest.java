package dev.linuxvm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

class ConsoleInputPumpTest {
    private final ByteArrayOutputStream guest = new ByteArrayOutputStream();
    private final AtomicBoolean quit = new AtomicBoolean();

    private void pump(boolean escapeKeys, int... keys) {
        byte[] input = new byte[keys.length];
        for (int i = 0; i < keys.length; i++) {
            input[i] = (byte) keys[i];
        }
        new ConsoleInputPump(new ByteArrayInputStream(input), guest, escapeKeys, () -> quit.set(true)).run();
    }

    @Test
    void ctrl_a_x_quits_and_nothing_after_it_is_sent() {
        pump(true, 'l', 's', 0x01, 'x', 'z');
        assertThat(guest.toByteArray()).containsExactly('l', 's');
        assertThat(quit).isTrue();
    }

    @Test
    void ctrl_a_ctrl_a_sends_one_ctrl_a_and_other_keys_pass_through() {
        pump(true, 0x01, 0x01, 0x03, 0x01, 'b');
        // Ctrl-A Ctrl-A -> one Ctrl-A; Ctrl-C as is; Ctrl-A b -> both bytes
        assertThat(guest.toByteArray()).containsExactly(0x01, 0x03, 0x01, 'b');
        assertThat(quit).isFalse();
    }

    @Test
    void escape_split_across_reads_still_quits() {
        ConsoleInputPump p = new ConsoleInputPump(InputStream.nullInputStream(), guest, true, () -> { });
        ConsoleInputPump.Keys first = p.filter(new byte[] {'a', 0x01}, 2);
        assertThat(first.toGuest()).containsExactly('a');
        assertThat(first.quit()).isFalse();
        ConsoleInputPump.Keys second = p.filter(new byte[] {'x'}, 1);
        assertThat(second.toGuest()).isEmpty();
        assertThat(second.quit()).isTrue();
    }

    @Test
    void piped_input_is_forwarded_verbatim_and_eof_does_not_quit() {
        pump(false, 'a', 0x01, 'x', '\n');
        assertThat(guest.toByteArray()).containsExactly('a', 0x01, 'x', '\n');
        assertThat(quit).isFalse();
    }
}
