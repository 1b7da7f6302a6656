package dev.linuxvm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class HeldConsoleTest {
    private static void write(HeldConsole c, String s) {
        byte[] b = ("xx" + s + "yy").getBytes(StandardCharsets.US_ASCII);
        c.onOutput(b, 2, b.length - 4);
    }

    @Test
    void what_comes_before_the_attach_is_handed_on_first_then_everything_after_it() {
        HeldConsole held = new HeldConsole();
        write(held, "one ");
        write(held, "two ");
        assertThat(held.held()).isEqualTo("one two ");
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        held.attach(seen::write);
        assertThat(seen.toString(StandardCharsets.US_ASCII)).isEqualTo("one two ");
        assertThat(held.held()).isEmpty();
        write(held, "three");
        assertThat(seen.toString(StandardCharsets.US_ASCII)).isEqualTo("one two three");
    }

    @Test
    void nothing_held_hands_on_nothing_and_one_listener_only() {
        HeldConsole held = new HeldConsole();
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        held.attach(seen::write);
        assertThat(seen.size()).isZero();
        assertThatThrownBy(() -> held.attach((b, o, l) -> { })).isInstanceOf(IllegalStateException.class);
    }
}
