package dev.linuxvm.samples;

import static dev.linuxvm.junit.LinuxVmAssertions.assertThat;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.junit.BootMatrix;
import dev.linuxvm.junit.GuestArch;
import dev.linuxvm.junit.Lifecycle;
import dev.linuxvm.junit.LinuxVm;
import dev.linuxvm.junit.ProvisionedKernel;
import dev.linuxvm.junit.SerialConsole;
import dev.linuxvm.junit.ktap.KtapDocument;
import dev.linuxvm.junit.ktap.KtapDynamicTests;
import dev.linuxvm.junit.ktap.KtapResult;
import dev.linuxvm.kernels.KunitKernel;
import dev.linuxvm.kernels.KunitKernels;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The KUnit suites built into the provisioned KUnit kernel, run while it boots, as JUnit tests:
 * a container per suite, a test per case, under "[x86_64, acpi]", "[aarch64, acpi]" and
 * "[aarch64, device-tree]". One boot per pair serves every method.
 */
// tag::kunit[]
@LinuxVm(provisioned = ProvisionedKernel.KUNIT, lifecycle = Lifecycle.PER_CLASS)
@BootMatrix(arches = GuestArch.X86_64)
@BootMatrix(arches = GuestArch.AARCH64, modes = {BootMode.ACPI, BootMode.DEVICE_TREE})
class KunitSuitesTest {

    @TestFactory
    Stream<DynamicNode> kunitSuites(SerialConsole console) {
        return KtapDynamicTests.from(console.bootKtap());
    }

    @Test
    void everySuiteOfTheKernelsConfigRan(SerialConsole console, Arch arch) {
        KtapDocument boot = console.bootKtap();

        Assertions.assertThat(boot.problems()).isEmpty();
        Assertions.assertThat(boot.results()).extracting(KtapResult::name)
                .containsExactlyInAnyOrderElementsOf(KunitKernels.forArch(arch).suites());
    }
    // end::kunit[]

    @Test
    void theKunitKernelBootedAndReachedTheShell(SerialConsole console, Arch arch) {
        KunitKernel kunit = KunitKernels.forArch(arch);

        // Debian's cloud kernel says "6.1.0-NN-cloud-amd64"; the one built from linux-source 6.1.192-3, "6.1.192".
        assertThat(console.exec("uname -r")).succeeded().hasOutput(kunit.sourceVersion().replaceFirst("-.*", ""));
    }
}
