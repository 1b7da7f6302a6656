package dev.linuxvm.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class ConsoleInterleavingTest {
    /** What a guest slowed down printed: the message between the status and the line's own newline. */
    private static final String SEEN = "linuxvm: exit 0[    2.557328] clocksource: Switched to clocksource tsc\r\n\r\n";

    @Test
    void a_message_inside_a_line_is_found_after_the_process_text() {
        assertThat(ConsoleInterleaving.messageInside("linuxvm: exit 0[    2.557328] clocksource: Switched"))
                .isEqualTo("linuxvm: exit 0".length());
        assertThat(ConsoleInterleaving.messageInside("~ # [   12.000000][    T1] BUG: x")).isEqualTo(4);
    }

    @Test
    void a_message_that_starts_its_line_or_follows_blanks_is_not_inside_one() {
        assertThat(ConsoleInterleaving.messageInside("[    2.557328] clocksource: Switched")).isEqualTo(-1);
        assertThat(ConsoleInterleaving.messageInside("  [    2.557328] clocksource: Switched")).isEqualTo(-1);
        assertThat(ConsoleInterleaving.messageInside("")).isEqualTo(-1);
    }

    @Test
    void text_that_only_resembles_a_prefix_is_not_a_message() {
        assertThat(ConsoleInterleaving.messageInside("took [2.5] s")).isEqualTo(-1);
        assertThat(ConsoleInterleaving.messageInside("at [    2.55732] x")).isEqualTo(-1);
    }

    @Test
    void removing_the_messages_inside_lines_makes_the_process_lines_whole() {
        assertThat(ConsoleInterleaving.withoutMessagesInside(SEEN)).isEqualTo("linuxvm: exit 0\r\n");
        assertThat(ConsoleInterleaving.withoutMessagesInside(
                "[    1.000000] kept\r\nhel[    2.000000] a\r\n[    2.000001] b\r\nlo\r\n"))
                .as("a message that starts a line stays, unless it comes between the pieces of a broken line")
                .isEqualTo("[    1.000000] kept\r\nhello\r\n");
        assertThat(ConsoleInterleaving.withoutMessagesInside("plain\r\ntext")).isEqualTo("plain\r\ntext");
        assertThat(ConsoleInterleaving.withoutMessagesInside("cut[    3.000000] unfinished")).isEqualTo("cut");
    }

    @Test
    void the_tolerant_regex_matches_the_literal_with_and_without_messages_inside() {
        var p = ConsoleInterleaving.tolerant("__LVM_ab.c_E_");
        assertThat(p.matcher("x__LVM_ab.c_E_0").find()).isTrue();
        Matcher m = p.matcher("__LV[    1.000000] one\r\n[    1.000001] two\r\nM_ab.c[    1.5] no\r\n_E_");
        assertThat(m.find()).as("a prefix without six digits is not a message").isFalse();
        m = p.matcher("__LV[    1.000000] one\r\n[    1.000001] two\r\nM_ab.c[    1.500000] three\r\n_E_");
        assertThat(m.find()).isTrue();
        assertThat(ConsoleInterleaving.withoutMessagesInside(m.group())).isEqualTo("__LVM_ab.c_E_");
        assertThat(p.matcher("__LVM_abXc_E_").find()).as("the literal is quoted").isFalse();
    }
}
