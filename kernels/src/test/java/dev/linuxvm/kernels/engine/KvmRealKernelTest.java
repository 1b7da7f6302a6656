package dev.linuxvm.kernels.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.VmExit;
import dev.linuxvm.engine.kvm.KvmBackend;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.launch.DefaultCmdline;
import dev.linuxvm.engine.launch.GuestFactory;
import dev.linuxvm.engine.launch.GuestSpec;
import dev.linuxvm.kernels.GuestInitramfs;
import dev.linuxvm.kernels.TestKernel;
import dev.linuxvm.kernels.TestKernels;

import java.nio.file.Files;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * The provisioned Debian vmlinux on our own KVM backend. On real KVM it must reach userspace
 * and power off. On PVM (software nested KVM) an unmodified kernel cannot run userspace
 * (vmm-engine/README.md, "PVM": it crawls to Run /init after ~170 s, then init segfaults at the syscall entry),
 * so there the test asserts the early lines that prove our zero page and ACPI tables were read,
 * then stops the VM.
 */
class KvmRealKernelTest {
    @Test
    void debian_vmlinux_on_our_kvm_backend_reads_our_boot_structures() throws Exception {
        assumeTrue(Arch.host() == Arch.X86_64, "KVM real-kernel test needs an x86_64 host; this is " + Arch.host());
        KvmBackend kvm = new KvmBackend();
        Backend.Availability probe = kvm.probe();
        assumeTrue(probe.available(), () -> "KVM real-kernel test skipped: " + probe.reason());

        TestKernel k = TestKernels.forArch(Arch.X86_64);
        byte[] initrd = GuestInitramfs.withOverlay(Files.readAllBytes(k.initramfs()), GuestInitramfs.execOverlay("true"));
        GuestImage image = GuestFactory.build(new GuestSpec(Arch.X86_64, BootMode.ACPI, k.kernel(), initrd,
                DefaultCmdline.forArch(Arch.X86_64, false), 512, 1));
        ConsoleCapture console = new ConsoleCapture();
        try (RunningVm vm = kvm.start(image, console)) {
            Duration early = Duration.ofSeconds(kvm.isPvm() ? 300 : 60);
            for (String line : new String[] {"Command line: console=ttyS0", "BIOS-e820: [mem 0x0000000000090000-0x000000000009ffff] ACPI data",
                    "ACPI: RSDP 0x00000000000E0000", "ACPI: XSDT 0x", "ACPI: FACP 0x", "ACPI: DSDT 0x", "ACPI: APIC 0x", "ACPI: SRAT 0x"}) {
                Duration at = console.await(line, early);
                System.out.printf("KVM: '%s' after %d ms%n", line, at.toMillis());
            }
            if (kvm.isPvm()) {
                System.out.println("KVM is PVM: stopping after the early boot lines; an unmodified kernel cannot run"
                        + " userspace on PVM (vmm-engine/README.md, \"PVM\"). Last line: " + console.tail(1).strip());
                return;
            }
            Duration ready = console.await(GuestInitramfs.READY_MARKER, Duration.ofSeconds(60));
            System.out.printf("KVM: time-to-marker %d ms%n", ready.toMillis());
            assertThat(vm.awaitExit(Duration.ofSeconds(60))).as("console tail:%n%s", console.tail(40))
                    .contains(new VmExit.PoweredOff());
        }
    }
}
