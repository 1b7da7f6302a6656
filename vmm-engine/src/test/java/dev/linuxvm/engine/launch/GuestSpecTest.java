package dev.linuxvm.engine.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.backend.qemu.QemuHost;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestSpecTest {
    @Test
    void rejects_device_tree_mode_on_x86_64_naming_the_fix() {
        assertThatThrownBy(() -> new GuestSpec(Arch.X86_64, BootMode.DEVICE_TREE, Path.of("vmlinux"), null, "", 512, 1))
                .isInstanceOf(VmmException.class)
                .hasMessage("device-tree boot is not supported on x86_64: x86 guests boot with ACPI tables;"
                        + " drop --device-tree (or BootMode.DEVICE_TREE), or boot an aarch64 guest");
    }

    @Test
    void rejects_tiny_memory_and_zero_cpus() {
        assertThatThrownBy(() -> new GuestSpec(Arch.AARCH64, BootMode.ACPI, Path.of("Image"), null, "", 16, 1))
                .hasMessageContaining("at least 64 MiB");
        assertThatThrownBy(() -> new GuestSpec(Arch.AARCH64, BootMode.ACPI, Path.of("Image"), null, "", 512, 0))
                .hasMessageContaining("at least one");
    }

    @Test
    void takes_up_to_16_gib_on_both_arches_and_rejects_more_with_one_message() {
        for (Arch arch : Arch.values()) {
            assertThat(new GuestSpec(arch, BootMode.ACPI, Path.of("k"), null, "", 16384, 1).memoryBytes()).isEqualTo(16L << 30);
            assertThat(new GuestSpec(arch, BootMode.ACPI, Path.of("k"), null, "", 3584, 1).memoryBytes()).isEqualTo(3584L << 20);
            assertThatThrownBy(() -> new GuestSpec(arch, BootMode.ACPI, Path.of("k"), null, "", 16385, 1))
                    .isInstanceOf(VmmException.class)
                    .hasMessage("guest memory 16385 MiB is more than the 16384 MiB (16 GiB) linuxvm runs on every executor:"
                            + " give the guest at most 16384 MiB")
                    .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.BAD_INPUT);
        }
    }

    @Test
    void missing_kernel_file_is_named_in_the_message(@TempDir Path tmp) {
        Path missing = tmp.resolve("no-such-vmlinux");
        assertThatThrownBy(() -> GuestFactory.build(new GuestSpec(Arch.X86_64, BootMode.ACPI, missing, null, "", 512, 1)))
                .isInstanceOf(VmmException.class)
                .hasMessage("kernel " + missing + " does not exist or is not a file: check the path")
                .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.BAD_INPUT);
    }

    @Test
    void errors_carry_the_kind_their_thrower_chose() {
        assertThatThrownBy(() -> new GuestSpec(Arch.AARCH64, BootMode.ACPI, Path.of("Image"), null, "", 16, 1))
                .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.BAD_INPUT);
        // an executor that cannot run here is the host's problem, not the input's
        Arch foreign = Arch.host() == Arch.X86_64 ? Arch.AARCH64 : Arch.X86_64;
        assertThatThrownBy(() -> BackendSelector.select(foreign, BackendChoice.KVM))
                .isInstanceOf(VmmException.class)
                .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.HOST_ENVIRONMENT);
        // a subclass passes its own default, and a thrower may choose another
        assertThat(new dev.linuxvm.engine.backend.qemu.QemuException("no qemu").kind())
                .isEqualTo(VmmException.Kind.HOST_ENVIRONMENT);
        assertThat(new dev.linuxvm.engine.acpi.AcpiException("bad table").kind()).isEqualTo(VmmException.Kind.INTERNAL);
        assertThat(new dev.linuxvm.engine.boot.x86.X86BootException(VmmException.Kind.INTERNAL, "e820 full").kind())
                .isEqualTo(VmmException.Kind.INTERNAL);
    }

    @Test
    void gzip_kernel_is_rejected_for_both_arches_with_a_message_naming_compression(@TempDir Path tmp) throws Exception {
        Path gz = tmp.resolve("Image.gz");
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(new byte[4096]);
        }
        for (Arch arch : Arch.values()) {
            assertThatThrownBy(() -> GuestFactory.build(new GuestSpec(arch, BootMode.ACPI, gz, null, "", 512, 1)))
                    .as(arch.toString())
                    .isInstanceOf(VmmException.class)
                    .hasMessageContaining("gzip");
        }
    }

    @Test
    void default_cmdline_names_the_console_and_panic_policy() {
        assertThat(DefaultCmdline.forArch(Arch.AARCH64, true)).isEqualTo("console=ttyAMA0 earlycon panic=-1");
        assertThat(DefaultCmdline.forArch(Arch.X86_64, false)).isEqualTo("console=ttyS0 earlyprintk=ttyS0 panic=-1");
        QemuHost.tscKhz().ifPresent(khz -> assertThat(DefaultCmdline.forArch(Arch.X86_64, true))
                .endsWith(" tsc_early_khz=" + khz + " tsc=reliable"));
    }

    @Test
    void auto_selection_says_which_executor_and_why() {
        BackendSelector.Selection s;
        try {
            s = BackendSelector.select(Arch.AARCH64, BackendChoice.AUTO);
        } catch (VmmException noExecutor) {
            // No QEMU here: the message must name both executors' reasons.
            assertThat(noExecutor.getMessage()).contains("KVM:", "QEMU:", "apt-get install");
            return;
        }
        // An aarch64 guest on an x86_64 host (or without usable KVM) runs on QEMU and says why.
        if (Arch.host() != Arch.AARCH64) {
            assertThat(s.name()).isEqualTo("qemu-tcg");
            assertThat(s.reason()).startsWith("auto: KVM backend unavailable (").contains("aarch64");
        }
        assertThat(s.reason()).isNotBlank();
    }

    @Test
    void explicit_kvm_choice_fails_clearly_when_kvm_cannot_run_the_guest() {
        Arch foreign = Arch.host() == Arch.X86_64 ? Arch.AARCH64 : Arch.X86_64;
        assertThatThrownBy(() -> BackendSelector.select(foreign, BackendChoice.KVM))
                .isInstanceOf(VmmException.class)
                .hasMessageStartingWith("the KVM backend cannot run an " + foreign + " guest here: ")
                .hasMessageEndingWith("(choose the QEMU backend, or auto)");
    }
}
