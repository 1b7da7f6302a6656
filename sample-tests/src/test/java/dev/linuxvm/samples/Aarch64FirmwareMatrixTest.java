package dev.linuxvm.samples;

import static dev.linuxvm.junit.LinuxVmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.junit.BootMatrix;
import dev.linuxvm.junit.GuestArch;
import dev.linuxvm.junit.LinuxVm;
import dev.linuxvm.junit.SerialConsole;

/** The same aarch64 kernel booted twice: "[aarch64, acpi]" and "[aarch64, device-tree]". */
// tag::matrix[]
@LinuxVm(arch = GuestArch.AARCH64)
class Aarch64FirmwareMatrixTest {

    @BootMatrix(modes = {BootMode.ACPI, BootMode.DEVICE_TREE})
    void firmwareIsWhatWeSaid(SerialConsole console, BootMode mode) {
        assertThat(console.exec("uname -m")).succeeded().hasOutput("aarch64");
        assertThat(console.exec("cat /proc/consoles")).succeeded().outputContains("ttyAMA0");

        if (mode == BootMode.ACPI) {
            assertThat(console.exec("ls /sys/firmware/acpi/tables/"))
                    .succeeded()
                    .outputContains("DSDT").outputContains("FACP").outputContains("APIC")
                    .outputContains("GTDT").outputContains("SPCR");
            assertThat(console.exec("dmesg | grep 'efi: EFI v'"))
                    .succeeded().outputContains("efi: EFI v2.70 by linuxvm");
            assertThat(console.exec("ls /sys/firmware/efi")).succeeded().outputContains("systab");
        } else {
            assertThat(console.exec("tr -d '\\0' < /proc/device-tree/model"))
                    .succeeded().hasOutput("linuxvm virt");
            assertThat(console.exec("test -e /sys/firmware/acpi")).hasExitStatus(1);
        }
    }
}
// end::matrix[]
