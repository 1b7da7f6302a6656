package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;
import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class QemuHostTest {
    @Test
    void reads_the_first_cpu_mhz_line_as_khz() {
        String cpuinfo = "processor\t: 0\nmodel name\t: Some CPU @ 2.10GHz\ncpu MHz\t\t: 2096.026\n\nprocessor\t: 1\ncpu MHz\t\t: 1999.000\n";
        assertThat(QemuHost.parseCpuinfoKhz(cpuinfo)).isEqualTo(OptionalLong.of(2_096_026));
        assertThat(QemuHost.parseCpuinfoKhz("processor : 0\n")).isEmpty();
    }

    @Test
    void skips_cpu_mhz_lines_without_a_number_and_reads_whole_mhz() {
        assertThat(QemuHost.parseCpuinfoKhz("cpu MHz\t\t: unknown\ncpu MHz\t\t: 3000\n")).isEqualTo(OptionalLong.of(3_000_000));
        assertThat(QemuHost.parseCpuinfoKhz("cpu MHz max\t: 4000.0\n")).isEmpty();
    }

    @Test
    void host_tsc_is_known_on_x86_hosts() {
        assumeTrue(Arch.host() == Arch.X86_64, "the TSC exists only on x86 hosts; this host is " + Arch.host());
        OptionalLong khz = QemuHost.tscKhz();
        assertThat(khz).isPresent();
        assertThat(khz.getAsLong()).isBetween(100_000L, 10_000_000L);
    }

    @Test
    void kvm_is_never_usable_for_a_foreign_architecture() {
        Arch foreign = Arch.host() == Arch.X86_64 ? Arch.AARCH64 : Arch.X86_64;
        assertThat(QemuHost.kvm(foreign).usable()).isFalse();
        assertThat(QemuHost.kvm(foreign).reason()).contains("same architecture");
    }

    @Test
    void install_commands_name_debians_packages() {
        assertThat(QemuHost.installCommand(Arch.X86_64)).isEqualTo("sudo apt-get install qemu-system-x86");
        assertThat(QemuHost.installCommand(Arch.AARCH64)).isEqualTo("sudo apt-get install qemu-system-arm");
    }
}
