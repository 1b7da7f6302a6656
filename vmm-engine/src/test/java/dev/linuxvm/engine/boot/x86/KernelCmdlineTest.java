package dev.linuxvm.engine.boot.x86;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KernelCmdlineTest {
    @Test
    void joins_parameters_with_single_spaces_and_ends_with_a_NUL() {
        KernelCmdline c = KernelCmdline.empty().add("console=ttyS0").add("panic", "-1").add("quiet");
        assertThat(c).hasToString("console=ttyS0 panic=-1 quiet");
        assertThat(c.toBytes()).isEqualTo("console=ttyS0 panic=-1 quiet\0".getBytes());
        assertThat(KernelCmdline.of("  console=ttyS0   quiet ")).hasToString("console=ttyS0 quiet");
        assertThat(KernelCmdline.of("").toBytes()).containsExactly(0);
    }

    @Test
    void is_immutable() {
        KernelCmdline base = KernelCmdline.empty().add("a");
        base.add("b");
        assertThat(base).hasToString("a");
    }

    @Test
    void accepts_exactly_the_limit_including_the_NUL_and_rejects_one_more_byte() {
        String longest = "x".repeat(2047);
        assertThat(KernelCmdline.empty().add(longest).toBytes()).hasSize(2048);
        assertThatThrownBy(() -> KernelCmdline.empty().add(longest + "y"))
                .isInstanceOf(X86BootException.class)
                .hasMessageStartingWith("kernel command line is 2049 bytes including its NUL, over the limit"
                        + " of 2048 (COMMAND_LINE_SIZE): shorten it");
        assertThatThrownBy(() -> KernelCmdline.withLimit(8).add("abc").add("defg"))
                .hasMessageStartingWith("kernel command line is 9 bytes including its NUL, over the limit of 8");
    }

    @Test
    void counts_utf8_bytes_not_chars() {
        assertThatThrownBy(() -> KernelCmdline.withLimit(4).add("é=é"))
                .isInstanceOf(X86BootException.class)
                .hasMessageStartingWith("kernel command line is 6 bytes");
    }

    @Test
    void rejects_a_NUL_inside_a_parameter() {
        assertThatThrownBy(() -> KernelCmdline.empty().add("init=/bin/sh\0evil"))
                .isInstanceOf(X86BootException.class)
                .hasMessage("kernel command line: parameter 'init=/bin/sh\\0evil' contains a NUL byte,"
                        + " which would end the command line there: remove it");
    }

    @Test
    void rejects_whitespace_and_control_characters_inside_a_parameter() {
        assertThatThrownBy(() -> KernelCmdline.empty().add("a b"))
                .isInstanceOf(X86BootException.class)
                .hasMessageContaining("contains whitespace or control character U+0020: add each parameter separately");
        assertThatThrownBy(() -> KernelCmdline.empty().add("a\nb"))
                .hasMessageContaining("U+000A");
        assertThatThrownBy(() -> KernelCmdline.empty().add(""))
                .hasMessageContaining("empty parameter");
    }
}
