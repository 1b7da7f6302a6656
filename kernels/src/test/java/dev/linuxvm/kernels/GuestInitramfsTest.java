package dev.linuxvm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.linuxvm.engine.initramfs.CpioEntry;
import dev.linuxvm.engine.initramfs.CpioReader;
import dev.linuxvm.engine.initramfs.FileType;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GuestInitramfsTest {
    private static final byte[] FAKE_BUSYBOX = {0x7f, 'E', 'L', 'F', 2, 1, 1};

    @Test
    void base_has_init_busybox_and_console_node() {
        Map<String, CpioEntry> tree = CpioReader.readTree(GuestInitramfs.base(FAKE_BUSYBOX));

        assertThat(tree.get("init").permissions()).isEqualTo(0755);
        assertThat(tree.get("bin/busybox").data()).isEqualTo(FAKE_BUSYBOX);
        assertThat(tree.get("bin/sh").linkTarget()).isEqualTo("busybox");
        CpioEntry console = tree.get("dev/console");
        assertThat(console.type()).isEqualTo(FileType.CHAR_DEVICE);
        assertThat(console.header().c_rmaj()).isEqualTo(5);
        assertThat(console.header().c_rmin()).isEqualTo(1);
        assertThat(tree).containsKeys("proc", "sys", "dev", "etc/passwd", "root");
    }

    @Test
    void init_prints_the_exact_markers_and_powers_off() {
        String init = new String(CpioReader.readTree(GuestInitramfs.base(FAKE_BUSYBOX)).get("init").data(), StandardCharsets.UTF_8);

        assertThat(init).startsWith("#!/bin/busybox sh\n")
            .contains("mount -t proc proc /proc", "mount -t sysfs sysfs /sys", "mount -t devtmpfs devtmpfs /dev",
                "echo 'linuxvm: userspace ready'", "if [ -e /linuxvm/exec ]", "echo \"linuxvm: exit $?\"",
                "setsid cttyhack sh")
            .endsWith("poweroff -f\n");
    }

    @Test
    void exec_overlay_appended_to_base_adds_the_command() {
        byte[] initrd = GuestInitramfs.withOverlay(GuestInitramfs.base(FAKE_BUSYBOX), GuestInitramfs.execOverlay("uname -a"));

        Map<String, CpioEntry> tree = CpioReader.readTree(initrd);

        assertThat(tree).containsKeys("init", "bin/busybox", "linuxvm/exec");
        assertThat(new String(tree.get("linuxvm/exec").data(), StandardCharsets.UTF_8)).isEqualTo("#!/bin/sh\nuname -a\n");
        assertThat(tree.get("linuxvm/exec").permissions()).isEqualTo(0755);
    }

    @Test
    void rejects_blank_exec_command() {
        assertThatThrownBy(() -> GuestInitramfs.execOverlay("  ")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("needs a command");
    }
}
