package dev.linuxvm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BootPhasesTest {
    private static BootPhases.Line at(long ms, String text) {
        return new BootPhases.Line(ms, text);
    }

    @Test
    void the_phases_are_cut_at_the_kernels_first_line_and_its_power_off_line() {
        BootPhases x86 = BootPhases.of(1750, List.of(
                at(98, "linuxvm: booting /cache/vmlinux with initramfs.cpio.gz (x86_64, ACPI, 512 MiB, 1 vCPU)"),
                at(160, "[    0.000000] Linux version 6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org)"),
                at(161, "[    0.000000] Command line: console=ttyS0"),
                at(1700, "linuxvm: exit 0"),
                at(1725, "[    1.187335] reboot: Power down")));
        assertThat(x86).isEqualTo(new BootPhases(1750, 160, 1725));
        assertThat(x86.complete()).isTrue();
        assertThat(x86.guestMs()).isEqualTo(1565);
        assertThat(x86.exitMs()).isEqualTo(25);

        BootPhases arm64 = BootPhases.of(1330, List.of(
                at(120, "[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x411fd070]"),
                at(121, "[    0.000000] Linux version 6.1.0-57-cloud-arm64"),
                at(1310, "[    1.087376] reboot: Power down")));
        assertThat(arm64.firstLineMs()).isEqualTo(120);
        assertThat(arm64.powerOffMs()).isEqualTo(1310);
    }

    @Test
    void a_run_without_either_line_is_left_out_of_the_medians() {
        BootPhases noKernelLine = BootPhases.of(900, List.of(at(800, "reboot: Power down")));
        BootPhases noPowerOff = BootPhases.of(900, List.of(at(100, "Linux version 6.1")));
        assertThat(noKernelLine.complete()).isFalse();
        assertThat(noPowerOff.complete()).isFalse();

        List<BootPhases> ours = List.of(new BootPhases(1700, 150, 1680), new BootPhases(1760, 160, 1735),
                new BootPhases(1800, 170, 1770), noPowerOff);
        List<BootPhases> theirs = List.of(noKernelLine);
        assertThat(BootPhases.compare(ours, theirs)).isEqualTo(
                "first kernel line 160 | -; first line to power-off 1575 | -; power-off to exit 25 | -");
    }
}
