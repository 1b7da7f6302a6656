package dev.linuxvm.samples;

import static dev.linuxvm.junit.LinuxVmAssertions.assertThat;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.linuxvm.junit.GuestArch;
import dev.linuxvm.junit.Lifecycle;
import dev.linuxvm.junit.LinuxVm;
import dev.linuxvm.junit.LinuxVmHandle;
import dev.linuxvm.junit.SerialConsole;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** One x86_64 guest for the whole class (one boot); the last test powers it off. */
// tag::x86[]
@LinuxVm(arch = GuestArch.X86_64, lifecycle = Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class X86BootTest {

    @Test
    @Order(1)
    void bootsToAShell(SerialConsole console) {
        assertThat(console.exec("uname -m")).succeeded().hasOutput("x86_64");
        assertThat(console).hasNoKernelPanic();
    }

    @Test
    @Order(2)
    void theKernelGotOurCommandLine(SerialConsole console, LinuxVmHandle vm) {
        assertThat(console.exec("cat /proc/cmdline")).succeeded().hasOutput(vm.cmdline());
    }

    @Test
    @Order(3)
    void theKernelFoundOurAcpiTables(SerialConsole console) {
        assertThat(console.exec("dmesg | grep 'ACPI: [A-Z]'"))
                .succeeded()
                .outputContains("ACPI: RSDP 0x00000000000E0000")
                .outputContains("ACPI: XSDT 0x")
                .outputContains("ACPI: FACP 0x")
                .outputContains("ACPI: DSDT 0x")
                .outputContains("ACPI: APIC 0x")
                .outputContains("ACPI: SRAT 0x");
    }

    // tag::awaitility[]
    @Test
    @Order(4)
    void pollTheConsoleWithAwaitility(SerialConsole console) {
        console.sendLine("sleep 1; echo answer=$((6*7))");
        await().atMost(ofSeconds(30)).until(() -> console.text().contains("answer=42"));
    }
    // end::awaitility[]

    @Test
    @Order(5)
    void poweroffEndsTheVm(SerialConsole console, LinuxVmHandle vm) {
        console.sendLine("poweroff -f");
        vm.awaitExit(ofSeconds(10));
        assertThat(vm.state()).isEqualTo(LinuxVmHandle.State.POWERED_OFF);
    }
}
// end::x86[]
