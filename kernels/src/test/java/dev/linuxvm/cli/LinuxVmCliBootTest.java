package dev.linuxvm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.backend.qemu.QemuBackend;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real boots of the provisioned default guests through the CLI, in process, on the QEMU executor
 * (the only executor that runs a full boot on a host without real KVM). Each boot is 2-4 s under
 * TCG.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LinuxVmCliBootTest {

    @AfterEach
    void no_qemu_survives_the_run() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> left;
        do {
            left = ProcessHandle.current().descendants()
                    .filter(p -> p.isAlive() && p.info().command().orElse("").contains("qemu-system"))
                    .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
                    .toList();
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        assertThat(left).as("QEMU processes left behind by the CLI").isEmpty();
    }

    @Test
    void x86_64_exec_streams_the_console_forwards_piped_stdin_and_exits_with_the_command_status() {
        requireQemu(Arch.X86_64);
        // stdin is all there at once: the CLI holds it until userspace runs (earlier bytes would be lost)
        CliRun r = CliRun.of(new ByteArrayInputStream("hello from stdin\n".getBytes(StandardCharsets.UTF_8)),
                "--arch", "x86_64", "--exec", "echo hi; read line; echo \"got=$line\"; exit 3");
        assertThat(r.status()).as(r.describe()).isEqualTo(3);
        assertThat(r.out()).as(r.describe()).contains("Command line: console=ttyS0", "\nhi\r\n",
                "got=hello from stdin", "linuxvm: exit 3");
        // the command's own status: the only stderr line is the one saying what runs
        assertThat(r.errLines()).as(r.describe()).hasSize(1);
        assertThat(r.lastErrLine()).startsWith("linuxvm: booting ").contains("(x86_64, acpi, 512 MiB, 1 vCPU) on qemu-");
    }

    @Test
    void a_guest_booted_on_a_guess_the_parse_refuses_is_stopped_and_nothing_of_it_is_seen() {
        requireQemu(Arch.X86_64);
        // the first look takes the second --exec over the first and boots that guest before the
        // parse; picocli refuses a repeated option: usage error, and that guest goes unseen
        CliRun r = CliRun.of("--arch", "x86_64", "--exec", "echo one", "--exec", "echo two");
        assertThat(r.status()).as(r.describe()).isEqualTo(ExitStatus.BAD_INPUT);
        assertThat(r.out()).as(r.describe()).isEmpty();
        assertThat(r.errLines()).as(r.describe()).hasSize(1);
        assertThat(r.lastErrLine()).startsWith("linuxvm: error: ").contains("--exec");
    }

    @Test
    void aarch64_device_tree_exec_reads_our_model() {
        requireQemu(Arch.AARCH64);
        // the README's example: the model has no trailing newline, so the status follows it on its line
        CliRun r = CliRun.of("--arch", "aarch64", "--device-tree", "--exec", "cat /proc/device-tree/model");
        assertThat(r.status()).as(r.describe()).isZero();
        assertThat(r.out()).as(r.describe()).contains("Machine model: linuxvm virt", "\nlinuxvm virt", "linuxvm: exit 0")
                .doesNotContain("ACPI: RSDP");
        assertThat(r.lastErrLine()).contains("(aarch64, device-tree, ");
    }

    @Test
    void aarch64_defaults_to_acpi_and_the_guest_sees_our_tables() {
        requireQemu(Arch.AARCH64);
        CliRun r = CliRun.of("--arch", "aarch64", "--exec", "ls /sys/firmware/acpi/tables");
        assertThat(r.status()).as(r.describe()).isZero();
        assertThat(r.out()).as(r.describe()).contains("ACPI: RSDP", "linuxvm: exit 0")
                .containsPattern("(?s)DSDT.*FACP.*GTDT.*SPCR.*linuxvm: exit 0");
        assertThat(r.lastErrLine()).contains("(aarch64, acpi, ");
    }

    @Test
    void a_panic_is_status_3_with_the_panic_line() {
        requireQemu(Arch.X86_64);
        CliRun r = CliRun.of("--arch", "x86_64", "--exec", "echo c > /proc/sysrq-trigger");
        assertThat(r.status()).as(r.describe()).isEqualTo(ExitStatus.GUEST_FAILED);
        assertThat(r.lastErrLine()).as(r.describe())
                .isEqualTo("linuxvm: kernel panic: Kernel panic - not syncing: sysrq triggered crash");
        assertThat(r.errLines()).hasSize(2);
    }

    @Test
    void a_timeout_is_status_4_and_quotes_the_last_console_line() {
        requireQemu(Arch.X86_64);
        long t0 = System.nanoTime();
        CliRun r = CliRun.of("--arch", "x86_64", "--timeout", "1s");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status()).as(r.describe()).isEqualTo(ExitStatus.TIMEOUT);
        assertThat(r.lastErrLine()).as(r.describe()).startsWith("linuxvm: timed out after 1s: last console line: ");
        assertThat(r.out()).doesNotContain("linuxvm: exit");
        // the guest was stopped, not waited for: well under a full boot plus QEMU's grace period
        assertThat(ms).as("run time in ms").isLessThan(30_000);
    }

    private static void requireQemu(Arch arch) {
        QemuBackend qemu = new QemuBackend();
        assumeTrue(qemu.availability(arch).available(),
                () -> "no QEMU executor for " + arch + ": " + qemu.availability(arch).reason());
    }
}
