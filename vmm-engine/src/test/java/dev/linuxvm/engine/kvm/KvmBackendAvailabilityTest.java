package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.backend.Backend.Availability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class KvmBackendAvailabilityTest {
    @TempDir
    Path dir;

    @Test
    void missing_dev_kvm_is_unavailable_and_says_how_to_fix_it() {
        Path devKvm = dir.resolve("kvm");
        KvmBackend backend = new KvmBackend(devKvm, dir.resolve("module"), CpuidMask.DEFAULTS);
        Availability a = backend.availability(Arch.host());
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).isEqualTo(devKvm + " not present: load kvm_intel/kvm_amd or use the QEMU backend");
        assertThat(backend.probe().available()).isFalse();
    }

    @Test
    void pvm_host_is_unavailable_for_full_boots() throws Exception {
        Path devKvm = Files.createFile(dir.resolve("kvm"));
        Files.createDirectories(dir.resolve("module/kvm_pvm"));
        KvmBackend backend = new KvmBackend(devKvm, dir.resolve("module"), CpuidMask.DEFAULTS);
        assertThat(backend.isPvm()).isTrue();
        Availability a = backend.availability(Arch.host());
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).contains("PVM").contains("kvm_pvm").contains("QEMU backend");
    }

    @Test
    void a_device_that_is_not_kvm_reports_the_errno() throws Exception {
        Path notKvm = Files.createFile(dir.resolve("kvm"));
        KvmBackend backend = new KvmBackend(notKvm, dir.resolve("module"), CpuidMask.DEFAULTS);
        Availability a = backend.probe();
        assertThat(a.available()).isFalse();
        // A regular file opens, but the first ioctl fails with ENOTTY (25).
        assertThat(a.reason()).contains("KVM_GET_API_VERSION failed: errno 25");
    }

    @Test
    void other_architecture_is_unavailable() {
        Arch other = Arch.host() == Arch.X86_64 ? Arch.AARCH64 : Arch.X86_64;
        Availability a = new KvmBackend().availability(other);
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).contains("QEMU backend");
    }

    @Test
    void this_host_without_dev_kvm_reports_it() {
        assumeFalse(Files.exists(Path.of("/dev/kvm")), "/dev/kvm exists here: the absent-device case is covered above");
        assumeTrue(Arch.host() != null, "unsupported host architecture");
        Availability a = new KvmBackend().availability(Arch.host());
        assertThat(a.available()).isFalse();
        assertThat(a.reason()).startsWith("/dev/kvm not present");
    }
}
