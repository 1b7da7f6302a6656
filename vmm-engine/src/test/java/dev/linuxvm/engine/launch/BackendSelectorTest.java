package dev.linuxvm.engine.launch;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.kvm.CpuidMask;
import dev.linuxvm.engine.kvm.KvmBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The KVM choice on a PVM host, with the real /dev/kvm and a stand-in /sys/module that does or
 * does not list kvm_pvm.
 */
class BackendSelectorTest {
    @TempDir
    Path sysModule;

    private KvmBackend kvm() {
        KvmBackend kvm = new KvmBackend(Path.of("/dev/kvm"), sysModule, CpuidMask.DEFAULTS);
        assumeThat(kvm.startable(Arch.host()).available()).as("needs a usable /dev/kvm: %s",
                kvm.startable(Arch.host()).reason()).isTrue();
        return kvm;
    }

    @Test
    void an_explicit_kvm_choice_runs_on_pvm_with_a_one_line_warning() throws Exception {
        Files.createDirectory(sysModule.resolve("kvm_pvm"));
        BackendSelector.Selection s = BackendSelector.select(Arch.host(), BackendChoice.KVM, kvm());
        assertThat(s.name()).isEqualTo("kvm");
        assertThat(s.reason()).startsWith("requested; KVM API 12 on /dev/kvm");
        assertThat(s.warning()).hasValueSatisfying(w -> assertThat(w)
                .contains("PVM", "userspace will not run here", "QEMU backend").doesNotContain("\n"));
    }

    @Test
    void auto_never_picks_kvm_on_pvm() throws Exception {
        Files.createDirectory(sysModule.resolve("kvm_pvm"));
        try {
            BackendSelector.Selection s = BackendSelector.select(Arch.host(), BackendChoice.AUTO, kvm());
            assertThat(s.name()).startsWith("qemu-");
            assertThat(s.reason()).contains("is PVM");
            assertThat(s.warning()).isEmpty();
        } catch (VmmException noQemu) {
            assertThat(noQemu.getMessage()).contains("KVM:", "is PVM", "QEMU:");
        }
    }

    @Test
    void kvm_that_is_not_pvm_has_no_warning() {
        BackendSelector.Selection s = BackendSelector.select(Arch.host(), BackendChoice.KVM, kvm());
        assertThat(s.name()).isEqualTo("kvm");
        assertThat(s.warning()).isEmpty();
        assertThat(BackendSelector.select(Arch.host(), BackendChoice.AUTO, kvm()).name()).isEqualTo("kvm");
    }
}
