package dev.linuxvm.engine.backend.qemu;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which x86_64 QEMU exit statuses (no SHUTDOWN event) are isa-debug-exit power offs. */
class QemuVmExitStatusTest {
    /** isa-debug-exit: exit((value << 1) | 1), truncated to 8 bits by exit(). */
    private static int debugExitStatus(int value) {
        return ((value << 1) | 1) & 0xFF;
    }

    @Test
    void the_kernels_sleep_control_write_and_the_pm1_form_are_power_offs_even_with_stderr() {
        assertThat(debugExitStatus(0x34)).isEqualTo(QemuVm.SLEEP_CONTROL_S5_STATUS).isEqualTo(105);
        assertThat(debugExitStatus(0x3400)).isEqualTo(QemuVm.PM1_CONTROL_S5_STATUS).isEqualTo(1);
        assertThat(debugExitStatus(0x1400)).isEqualTo(1);
        assertThat(QemuVm.isPowerOffStatus(105, "qemu-system-x86_64: warning: something")).isTrue();
        assertThat(QemuVm.isPowerOffStatus(1, "qemu-system-x86_64: warning: something")).isTrue();
    }

    @Test
    void other_odd_statuses_only_without_stderr_and_never_a_signals() {
        assertThat(QemuVm.isPowerOffStatus(3, "")).isTrue();
        assertThat(QemuVm.isPowerOffStatus(3, "qemu-system-x86_64: error")).isFalse();
        assertThat(QemuVm.isPowerOffStatus(137, "")).as("SIGKILL").isFalse();
        assertThat(QemuVm.isPowerOffStatus(143, "")).as("SIGTERM").isFalse();
        assertThat(QemuVm.isPowerOffStatus(0, "")).isFalse();
        assertThat(QemuVm.isPowerOffStatus(2, "")).isFalse();
    }
}
