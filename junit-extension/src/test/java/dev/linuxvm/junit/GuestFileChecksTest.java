package dev.linuxvm.junit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuestFileChecksTest {
    /** What DataPortSnapshotTest's `wc -c` printed once: the kernel switched clocksource meanwhile. */
    private static final String SIZE_AFTER_KERNEL_LINES = """
            [    1.663017] clocksource: tsc: mask: 0xffffffffffffffff max_cycles: 0x256c05247e1, max_idle_ns: 440795271171 ns\r
            [    1.663712] clocksource: Switched to clocksource tsc\r
            1048576\r
            """;

    @Test
    void a_size_is_read_past_the_kernel_lines_among_the_output() {
        assertThat(GuestFileChecks.size(SIZE_AFTER_KERNEL_LINES)).isEqualTo(1_048_576);
        assertThat(GuestFileChecks.size("1048576\r\n[   12.000001] virtio_console: loaded\r\n")).isEqualTo(1_048_576);
        assertThat(GuestFileChecks.size("0\n")).isZero();
    }

    @Test
    void output_without_a_size_is_not_read_as_one() {
        assertThatThrownBy(() -> GuestFileChecks.size("[    1.663712] clocksource: Switched to clocksource tsc\n"))
                .isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> GuestFileChecks.size("wc: can't open 'x': No such file or directory\n"))
                .isInstanceOf(NumberFormatException.class);
    }

    @Test
    void only_whole_kernel_lines_go() {
        // base64 never starts a line with '[', so the lines left are the command's own
        String base64 = "aGVsbG8K\n[    3.141592] random: crng init done\nd29ybGQK\n";
        assertThat(GuestFileChecks.withoutKernelLines(base64)).isEqualTo("aGVsbG8K\nd29ybGQK\n");
        // a line that merely contains a timestamp is the command's
        assertThat(GuestFileChecks.withoutKernelLines("x [    1.0] y\n")).isEqualTo("x [    1.0] y\n");
    }
}
