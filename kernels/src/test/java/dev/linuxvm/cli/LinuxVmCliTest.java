package dev.linuxvm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.VmmException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's flags, help and bad-input paths: no guest boots here. */
class LinuxVmCliTest {

    @Test
    void nothing_starts_early_for_arguments_beyond_the_common_long_options_or_values_that_do_not_parse() {
        for (String[] args : new String[][] {{"--help"}, {"-h"}, {"--version"}, {"--bogus"}, {"--arch"},
                {"--arch", "sparc"}, {"--memory", "lots"}, {"--cpus", "1.5"}, {"--backend", "xen"},
                {"--device-tree=yes"}, {"--exec", "true", "extra"}, {"--memory", "0", "--backend", "qemu"}}) {
            assertThat(LinuxVmCli.startEarly(args)).as(String.join(" ", args)).isNull();
        }
    }

    @Test
    void help_lists_the_reference_flags_and_the_exit_statuses() {
        CliRun r = CliRun.of("--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("--kernel=FILE", "--initrd=FILE", "--cmdline=TEXT", "--device-tree",
                "--arch=x86_64|aarch64", "--memory=MIB", "--cpus=N", "--backend=auto|kvm|qemu", "--exec=COMMAND",
                "--timeout=DURATION", "Exit status:", "2   usage error or bad input", "4   timed out",
                "5   this host cannot run the guest");
    }

    @Test
    void version_names_the_project_version() {
        CliRun r = CliRun.of("--version");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("linuxvm ").doesNotContain("${");
    }

    @Test
    void device_tree_on_x86_64_is_one_line_and_status_2() {
        CliRun r = CliRun.of("--arch", "x86_64", "--device-tree", "--exec", "true");
        assertThat(r.status()).as(r.describe()).isEqualTo(ExitStatus.BAD_INPUT);
        assertThat(r.errLines()).containsExactly("linuxvm: error: device-tree boot is not supported on x86_64:"
                + " x86 guests boot with ACPI tables; drop --device-tree (or BootMode.DEVICE_TREE), or boot an aarch64 guest");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void missing_kernel_file_is_named(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-vmlinux");
        CliRun r = CliRun.of("--arch", "x86_64", "--kernel", missing.toString());
        assertThat(r.status()).as(r.describe()).isEqualTo(ExitStatus.BAD_INPUT);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.lastErrLine()).startsWith("linuxvm: error: kernel " + missing + " does not exist");
    }

    @Test
    void missing_initrd_file_is_named(@TempDir Path dir) throws IOException {
        Path kernel = Files.write(dir.resolve("vmlinux"), new byte[4096]);
        Path missing = dir.resolve("no-such-initrd");
        CliRun r = CliRun.of("--arch", "x86_64", "--kernel", kernel.toString(), "--initrd", missing.toString());
        assertThat(r.status()).as(r.describe()).isEqualTo(ExitStatus.BAD_INPUT);
        assertThat(r.errLines()).containsExactly(
                "linuxvm: error: initrd " + missing + " does not exist or is not a file: check the path");
    }

    @Test
    void gzip_kernel_gives_the_engine_compressed_message(@TempDir Path dir) throws IOException {
        Path gz = dir.resolve("vmlinux.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(new byte[64 * 1024]);
        }
        for (String arch : new String[] {"x86_64", "aarch64"}) {
            CliRun r = CliRun.of("--arch", arch, "--kernel", gz.toString());
            assertThat(r.status()).as(r.describe()).isEqualTo(ExitStatus.BAD_INPUT);
            assertThat(r.errLines()).as(arch).hasSize(1);
            assertThat(r.lastErrLine()).as(arch).startsWith("linuxvm: error: kernel image " + gz)
                    .contains("gzip-compressed");
        }
    }

    @Test
    void usage_errors_are_one_line_and_status_2() {
        for (String[] args : new String[][] {
            {"--arch", "sparc"}, {"--backend", "xen"}, {"--timeout", "5 parsecs"}, {"--memory", "lots"}, {"--frobnicate"}}) {
            CliRun r = CliRun.of(args);
            assertThat(r.status()).as(String.join(" ", args)).isEqualTo(ExitStatus.BAD_INPUT);
            assertThat(r.errLines()).as(String.join(" ", args)).hasSize(1);
            assertThat(r.lastErrLine()).startsWith("linuxvm: error: ").endsWith("(see linuxvm --help)");
        }
    }

    @Test
    void too_little_memory_gives_the_guest_spec_message() {
        CliRun r = CliRun.of("--arch", "aarch64", "--memory", "16");
        assertThat(r.status()).isEqualTo(ExitStatus.BAD_INPUT);
        assertThat(r.errLines()).containsExactly(
                "linuxvm: error: guest memory 16 MiB is too small: give the guest at least 64 MiB");
    }

    @Test
    void every_error_kind_has_its_own_documented_status() {
        assertThat(ExitStatus.of(VmmException.Kind.BAD_INPUT)).isEqualTo(ExitStatus.BAD_INPUT).isEqualTo(2);
        assertThat(ExitStatus.of(VmmException.Kind.HOST_ENVIRONMENT)).isEqualTo(ExitStatus.HOST_ENVIRONMENT).isEqualTo(5);
        assertThat(ExitStatus.of(VmmException.Kind.GUEST_FAILURE)).isEqualTo(ExitStatus.GUEST_FAILED).isEqualTo(3);
        assertThat(ExitStatus.of(VmmException.Kind.INTERNAL)).isEqualTo(ExitStatus.INTERNAL_ERROR).isEqualTo(1);
        String help = CliRun.of("--help").out();
        for (VmmException.Kind kind : VmmException.Kind.values()) {
            assertThat(help).as(kind.toString()).containsPattern("(?m)^\\s+" + ExitStatus.of(kind) + "\\s{3}\\S");
        }
    }

    @Test
    void a_foreign_arch_on_kvm_is_a_host_problem_with_status_5() {
        // KVM runs only host-architecture guests: the host cannot do it, whatever the input.
        Arch foreign = Arch.host() == Arch.X86_64 ? Arch.AARCH64 : Arch.X86_64;
        CliRun r = CliRun.of("--arch", foreign.toString(), "--backend", "kvm", "--exec", "true");
        assertThat(r.status()).as(r.describe()).isEqualTo(ExitStatus.HOST_ENVIRONMENT);
        assertThat(r.lastErrLine()).startsWith("linuxvm: cannot run here: the KVM backend cannot run an " + foreign)
                .contains("choose the QEMU backend");
    }
}
