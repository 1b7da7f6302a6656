package dev.linuxvm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.DataPort;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.VmExit;
import dev.linuxvm.engine.launch.BackendChoice;
import dev.linuxvm.engine.launch.BackendSelector;
import dev.linuxvm.engine.initramfs.CpioEntry;
import dev.linuxvm.engine.initramfs.CpioReader;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.kernels.KunitKernel;
import dev.linuxvm.kernels.KunitKernels;
import dev.linuxvm.kernels.TestKernel;
import dev.linuxvm.kernels.TestKernels;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launch path the CLI and the extension share, up to the built image (nothing starts here). */
class LauncherTest {
    private static final Arch FOREIGN = Arch.host() == Arch.X86_64 ? Arch.AARCH64 : Arch.X86_64;

    @Test
    void the_provisioned_guest_gets_the_executors_default_cmdline() {
        assumeTrue(BackendSelector.availability(Arch.X86_64, BackendChoice.QEMU).available(), "needs qemu-system-x86_64");
        TestKernel provisioned = TestKernels.forArch(Arch.X86_64);

        Launcher.Prepared guest = Launcher.prepare(LaunchRequest.of(Arch.X86_64).withBackend(BackendChoice.QEMU), line -> { });

        assertThat(guest.selection().name()).startsWith("qemu-");
        assertThat(guest.kernel()).isEqualTo(provisioned.kernel());
        assertThat(guest.initrd()).isEqualTo(provisioned.initramfs());
        assertThat(guest.image().cmdline()).startsWith("console=ttyS0 earlyprintk=ttyS0 panic=-1");
        assertThat(guest.image().cmdline().contains("tsc_early_khz=")).isEqualTo(guest.selection().emulated());
    }

    @Test
    void a_guest_started_ahead_boots_and_a_failed_prepare_leaves_no_qemu_behind(@TempDir Path dir) throws Exception {
        assumeTrue(BackendSelector.availability(Arch.X86_64, BackendChoice.QEMU).available(), "needs qemu-system-x86_64");
        TestKernels.forArch(Arch.X86_64);
        LaunchRequest request = LaunchRequest.of(Arch.X86_64).withBackend(BackendChoice.QEMU).withExec("echo ahead-$((40+2))");
        StringBuilder console = new StringBuilder();
        try (Launcher.Prepared guest = Launcher.prepare(request, line -> { }, true);
             dev.linuxvm.engine.backend.RunningVm vm = guest.start((b, off, len) -> {
                 synchronized (console) {
                     console.append(new String(b, off, len, StandardCharsets.ISO_8859_1));
                 }
             })) {
            assertThat(vm.awaitExit(java.time.Duration.ofSeconds(120))).contains(new dev.linuxvm.engine.backend.VmExit.PoweredOff());
        }
        synchronized (console) {
            assertThat(console).contains("Linux version").contains("ahead-42").contains("linuxvm: exit 0");
        }

        Path gz = dir.resolve("bzImage-like");
        Files.write(gz, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4});
        assertThatThrownBy(() -> Launcher.prepare(request.withKernel(gz), line -> { }, true))
                .isInstanceOf(VmmException.class);
        // the QEMU started ahead for it is gone with its wrapper: no child process is left
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse("?")).filter(c -> c.contains("qemu")).toList()).isEmpty();
    }

    @Test
    void an_early_start_is_taken_over_by_a_request_for_its_machine_and_released_otherwise() throws Exception {
        assumeTrue(BackendSelector.availability(Arch.X86_64, BackendChoice.QEMU).available(), "needs qemu-system-x86_64");
        TestKernels.forArch(Arch.X86_64);
        LaunchRequest request = LaunchRequest.of(Arch.X86_64).withBackend(BackendChoice.QEMU).withExec("echo early-$((40+2))");

        Launcher.Early early = Launcher.Early.start(Arch.X86_64, BackendChoice.QEMU, request.memoryMib(), request.cpus());
        assertThat(early).isNotNull();
        StringBuilder console = new StringBuilder();
        try (Launcher.Prepared guest = Launcher.prepare(request, line -> { }, early);
             dev.linuxvm.engine.backend.RunningVm vm = guest.start((b, off, len) -> {
                 synchronized (console) {
                     console.append(new String(b, off, len, StandardCharsets.ISO_8859_1));
                 }
             })) {
            assertThat(qemuWrappers()).as("the early QEMU runs the guest: no second one").hasSize(1);
            assertThat(vm.awaitExit(java.time.Duration.ofSeconds(120))).contains(new dev.linuxvm.engine.backend.VmExit.PoweredOff());
        }
        synchronized (console) {
            assertThat(console).contains("Linux version").contains("early-42").contains("linuxvm: exit 0");
        }
        assertThat(qemuWrappers()).isEmpty();

        Launcher.Early otherMachine = Launcher.Early.start(Arch.X86_64, BackendChoice.QEMU, 256, 1);
        assertThat(otherMachine).isNotNull();
        try (Launcher.Prepared guest = Launcher.prepare(request, line -> { }, otherMachine);
             dev.linuxvm.engine.backend.RunningVm vm = guest.start((b, off, len) -> { })) {
            assertThat(qemuWrappers()).as("the early QEMU for 256 MiB is released; the request's own runs").hasSize(1);
        }
        assertThat(qemuWrappers()).isEmpty();

        assertThat(Launcher.Early.start(Arch.X86_64, BackendChoice.QEMU, 0, 1)).as("no valid machine: nothing starts").isNull();
        assertThat(qemuWrappers()).isEmpty();
    }

    @Test
    void an_early_start_no_executor_can_run_comes_to_nothing_and_prepare_says_why() {
        // our KVM backend runs only the host's architecture: for the other one the early
        // selection fails on its thread, and prepare reports that failure as it would without it
        Arch foreign = Arch.host() == Arch.X86_64 ? Arch.AARCH64 : Arch.X86_64;
        LaunchRequest request = LaunchRequest.of(foreign).withBackend(BackendChoice.KVM);
        Launcher.Early early = Launcher.Early.start(foreign, BackendChoice.KVM, request.memoryMib(), request.cpus());
        assertThat(early).isNotNull();
        assertThatThrownBy(() -> Launcher.prepare(request, line -> { }, early))
                .isInstanceOfSatisfying(dev.linuxvm.engine.VmmException.class,
                        e -> assertThat(e.kind()).isEqualTo(dev.linuxvm.engine.VmmException.Kind.HOST_ENVIRONMENT))
                .hasMessageContaining("the KVM backend cannot run an " + foreign + " guest here");
        assertThat(qemuWrappers()).isEmpty();
    }

    @Test
    void a_guessed_guest_runs_before_it_is_taken_with_its_console_held_and_stops_unseen_when_it_is_not() throws Exception {
        assumeTrue(BackendSelector.availability(Arch.X86_64, BackendChoice.QEMU).available(), "needs qemu-system-x86_64");
        TestKernels.forArch(Arch.X86_64);
        LaunchRequest request = LaunchRequest.of(Arch.X86_64).withBackend(BackendChoice.QEMU).withExec("echo guessed-$((40+2))");

        Launcher.Guess guess = Launcher.Guess.start(request, line -> { },
                Launcher.Early.start(Arch.X86_64, BackendChoice.QEMU, request.memoryMib(), request.cpus()));
        guess.awaitBoot();
        assertThat(qemuWrappers()).as("booted before anyone takes it").hasSize(1);
        StringBuilder console = new StringBuilder();
        try (Launcher.Booted booted = guess.take()) {
            // the kernel prints before anyone listens: its banner is held
            await("the kernel's banner, held before the attach").atMost(Duration.ofSeconds(60))
                    .until(() -> booted.held().contains("Linux version"));
            try (RunningVm vm = booted.attach((b, off, len) -> {
                synchronized (console) {
                    console.append(new String(b, off, len, StandardCharsets.ISO_8859_1));
                }
            })) {
                assertThat(booted.held()).as("nothing is held once attached").isEmpty();
                assertThat(vm.awaitExit(Duration.ofSeconds(120))).contains(new VmExit.PoweredOff());
            }
        }
        synchronized (console) {
            // what came before the attach is there, once and before the rest
            assertThat(console.toString()).startsWith("[    0.000000] Linux version").containsOnlyOnce("Linux version")
                    .contains("guessed-42").endsWith("reboot: Power down\r\n");
        }
        assertThat(qemuWrappers()).isEmpty();

        Launcher.Guess notTaken = Launcher.Guess.start(request, line -> { },
                Launcher.Early.start(Arch.X86_64, BackendChoice.QEMU, request.memoryMib(), request.cpus()));
        notTaken.awaitBoot();
        assertThat(qemuWrappers()).hasSize(1);
        notTaken.close();
        assertThat(qemuWrappers()).as("a guess not taken is stopped").isEmpty();
        assertThatThrownBy(notTaken::take).isInstanceOf(IllegalStateException.class);
    }

    /** This JVM's live children that run QEMU (its wrapper shell, whose arguments hold QEMU's command). */
    private static java.util.List<String> qemuWrappers() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse("?")).filter(c -> c.contains("qemu")).toList();
    }

    @Test
    void a_data_port_on_qemu_puts_its_modules_under_the_kernels_release_and_the_port_in_the_tables() {
        assumeTrue(BackendSelector.availability(Arch.X86_64, BackendChoice.QEMU).available(), "needs qemu-system-x86_64");
        TestKernel provisioned = TestKernels.forArch(Arch.X86_64);

        GuestImage image = Launcher.prepare(LaunchRequest.of(Arch.X86_64).withBackend(BackendChoice.QEMU).withDataPort(true),
                line -> { }).image();

        assertThat(image.dataPort()).contains(DataPort.of(Arch.X86_64));
        byte[] initrd = image.regions().stream().filter(r -> r.name().equals("initrd")).findFirst().orElseThrow().data();
        Map<String, CpioEntry> tree = CpioReader.readTree(initrd);
        for (String module : DataPort.MODULES) {
            assertThat(tree).containsKey("lib/modules/" + provisioned.kernelRelease() + "/" + module);
        }
        assertThat(new String(image.artifacts().get("DSDT.aml"), StandardCharsets.ISO_8859_1)).contains("LNRO0005");
    }

    @Test
    void without_a_data_port_the_tables_describe_none() {
        assumeTrue(BackendSelector.availability(Arch.X86_64, BackendChoice.QEMU).available(), "needs qemu-system-x86_64");
        GuestImage image = Launcher.prepare(LaunchRequest.of(Arch.X86_64).withBackend(BackendChoice.QEMU), line -> { }).image();
        assertThat(image.dataPort()).isEmpty();
        assertThat(new String(image.artifacts().get("DSDT.aml"), StandardCharsets.ISO_8859_1)).doesNotContain("LNRO0005");
    }

    @Test
    void the_kunit_kernel_boots_with_the_provisioned_initramfs() {
        assumeTrue(BackendSelector.availability(Arch.AARCH64, BackendChoice.QEMU).available(), "needs qemu-system-aarch64");
        assumeTrue(Files.isDirectory(KunitKernels.fromEnvironment(line -> { }).kunitRoot().resolve("aarch64")),
                "the KUnit kernel is built by the kernels module's build (Provision --kunit), not here");

        Launcher.Prepared guest = Launcher.prepare(LaunchRequest.of(Arch.AARCH64).withKernel(new LaunchRequest.Kernel.Kunit())
                .withBackend(BackendChoice.QEMU), line -> { });

        KunitKernel kunit = KunitKernels.forArch(Arch.AARCH64);
        assertThat(guest.kernel()).isEqualTo(kunit.kernel());
        assertThat(guest.initrd()).isEqualTo(TestKernels.forArch(Arch.AARCH64).initramfs());
    }

    @Test
    void an_input_error_is_reported_before_a_missing_executor(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-initrd");
        assertThatThrownBy(() -> Launcher.prepare(LaunchRequest.of(FOREIGN).withBackend(BackendChoice.KVM)
                .withInitrd(new LaunchRequest.Initrd.File(missing)), line -> { }))
                .isInstanceOf(VmmException.class)
                .hasMessage("initrd " + missing + " does not exist or is not a file: check the path")
                .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.BAD_INPUT);
    }

    @Test
    void a_missing_executor_is_the_hosts_problem() {
        assertThatThrownBy(() -> Launcher.prepare(LaunchRequest.of(FOREIGN).withBackend(BackendChoice.KVM), line -> { }))
                .isInstanceOf(VmmException.class)
                .hasMessageContaining("the KVM backend cannot run an " + FOREIGN + " guest here")
                .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.HOST_ENVIRONMENT);
    }

    @Test
    void cheap_checks_come_first() {
        assertThatThrownBy(() -> Launcher.prepare(LaunchRequest.of(Arch.X86_64).withMode(BootMode.DEVICE_TREE), line -> { }))
                .hasMessageStartingWith("device-tree boot is not supported on x86_64");
        assertThatThrownBy(() -> Launcher.prepare(LaunchRequest.of(Arch.X86_64).withExec(" "), line -> { }))
                .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.BAD_INPUT);
    }
}
