package dev.linuxvm.junit;

import java.util.ServiceLoader;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.launch.BackendChoice;

import static dev.linuxvm.junit.LinuxVmAssertions.assertThat;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.fileEntry;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.linuxvm.engine.Arch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.reporting.FileEntry;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** Runs sample test classes through the extension with {@link FakeLauncher} and checks the events. */
class LinuxVmExtensionTest {
    @TempDir
    Path reports;

    @BeforeEach
    void reset() {
        FakeLauncher.reset();
    }

    private EngineExecutionResults run(Class<?> sample, boolean withLauncher) {
        var kit = EngineTestKit.engine("junit-jupiter")
                .configurationParameter(LinuxVmExtension.REPORT_DIR_PROPERTY, reports.toString())
                .outputDirectoryCreator(new TestOutputDirectories(reports.resolve("junit-output")))
                .selectors(selectClass(sample));
        if (withLauncher) {
            kit.configurationParameter(GuestLauncher.LAUNCHER_PROPERTY, FakeLauncher.class.getName());
        }
        return kit.execute();
    }

    private Path classDir(Class<?> sample) {
        return reports.resolve(GuestSession.safeFileName(sample.getName()));
    }

    private Events tests(Class<?> sample) {
        return run(sample, true).testEvents();
    }

    // ---- samples ------------------------------------------------------------------------------

    @LinuxVm(arch = GuestArch.AARCH64)
    static class BootSample {
        @Test
        void reachesShell(SerialConsole console, LinuxVmHandle vm, Arch arch, BootMode mode) {
            console.expect("linuxvm: userspace ready");
            assertThat(console.exec("uname -m")).succeeded().outputContains("aarch64");
            assertThat(arch).isEqualTo(Arch.AARCH64);
            assertThat(mode).isEqualTo(BootMode.ACPI);
            assertThat(vm.state()).isEqualTo(LinuxVmHandle.State.RUNNING);
            assertThat(vm.artifacts()).containsOnlyKeys("APIC.aml", "DSDT.aml");
            assertThat(console).contains("Command line: console=ttyAMA0 earlycon panic=-1").hasNoKernelPanic();
        }

        @Test
        void powersOff(SerialConsole console, LinuxVmHandle vm) {
            console.sendLine("poweroff -f");
            assertThat(vm.awaitExit(ofSeconds(10)).describe()).isEqualTo("powered off");
            assertThat(vm.state()).isEqualTo(LinuxVmHandle.State.POWERED_OFF);
        }
    }

    @Test
    void boots_resolves_parameters_and_closes_each_guest() {
        tests(BootSample.class).assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(FakeLauncher.VMS).hasSize(2).allSatisfy(vm -> assertThat(vm.closed()).isTrue());
        assertThat(FakeLauncher.SPECS).allSatisfy(spec -> {
            assertThat(spec.arch()).isEqualTo(Arch.AARCH64);
            assertThat(spec.defaultCmdline()).as("no cmdline attribute: the launcher picks it").isTrue();
            assertThat(spec.memoryMib()).isEqualTo(512);
        });
    }

    @Test
    void writes_the_report_directory_and_publishes_its_path() throws IOException {
        EngineExecutionResults results = run(BootSample.class, true);
        Path dir = classDir(BootSample.class).resolve("reachesShell");
        assertThat(dir.resolve("console.log")).exists();
        List<String> log = Files.readAllLines(dir.resolve("console.log"));
        assertThat(log).anySatisfy(l -> assertThat(l).matches("\\[ *\\d+\\.\\d{6}\\] linuxvm: userspace ready"));
        assertThat(dir.resolve("DSDT.aml")).hasBinaryContent(new byte[] {'D', 'S', 'D', 'T'});
        Properties summary = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve("summary.properties"))) {
            summary.load(in);
        }
        assertThat(summary.getProperty("kernel")).isEqualTo("/provisioned/aarch64/kernel");
        assertThat(summary.getProperty("initrd")).isEqualTo("/provisioned/aarch64/initramfs.cpio.gz");
        assertThat(summary.getProperty("cmdline")).isEqualTo("console=ttyAMA0 earlycon panic=-1");
        assertThat(summary.getProperty("executor")).isEqualTo("fake");
        assertThat(summary.getProperty("executor.reason")).isEqualTo("fake: chosen by the test configuration");
        assertThat(summary.getProperty("mode")).isEqualTo("acpi");
        assertThat(Long.parseLong(summary.getProperty("boot.ready.ms"))).isNotNegative();
        assertThat(summary.getProperty("exit")).isEqualTo("stopped: closed by the test");
        Properties powerOff = new Properties();
        try (var in = Files.newBufferedReader(dir.resolveSibling("powersOff").resolve("summary.properties"))) {
            powerOff.load(in);
        }
        assertThat(powerOff.getProperty("exit")).isEqualTo("powered off");

        List<String> published = results.allEvents().reportingEntryPublished()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow())
                .flatMap(r -> r.getKeyValuePairs().entrySet().stream())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.toList());
        assertThat(published).contains("linuxvm.report=" + dir.toAbsolutePath(),
                "linuxvm.console=" + dir.resolve("console.log").toAbsolutePath());
    }

    /** The files published for the tests or containers {@code which} accepts, by file name. */
    private static Map<String, FileEntry> attachments(Events events, Predicate<TestDescriptor> which) {
        return events.fileEntryPublished().filter(e -> which.test(e.getTestDescriptor()))
                .map(e -> e.getPayload(FileEntry.class).orElseThrow())
                .collect(Collectors.toMap(f -> f.getPath().getFileName().toString(), f -> f));
    }

    private static Predicate<TestDescriptor> method(String name) {
        return d -> d.getUniqueId().toString().contains("[method:" + name + "(");
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return p;
    }

    @Test
    void attaches_console_log_summary_and_firmware_files_to_the_test_once_the_guest_has_stopped() throws IOException {
        Events events = tests(BootSample.class);
        Path dir = classDir(BootSample.class).resolve("reachesShell");
        Map<String, FileEntry> files = attachments(events, method("reachesShell"));

        assertThat(files).containsOnlyKeys("console.log", "summary.properties", "APIC.aml", "DSDT.aml");
        assertThat(files.get("console.log").getMediaType()).hasValue("text/plain; charset=UTF-8");
        assertThat(files.get("summary.properties").getMediaType()).hasValue("text/plain; charset=UTF-8");
        assertThat(files.get("DSDT.aml").getMediaType()).hasValue("application/octet-stream");
        files.forEach((name, entry) -> assertThat(entry.getPath()).as(name)
                .isNotEqualTo(dir.resolve(name)).hasSameBinaryContentAs(dir.resolve(name)));
        // published after the guest stopped: the attached summary knows how it ended
        assertThat(load(files.get("summary.properties").getPath()).getProperty("exit")).isEqualTo("stopped: closed by the test");
        assertThat(Files.readString(files.get("console.log").getPath())).contains("linuxvm: userspace ready");
        events.assertEventsMatchLooselyInOrder(
                event(test("reachesShell"), fileEntry(f -> f.getPath().endsWith("console.log"))),
                event(test("reachesShell"), finishedSuccessfully()));
        assertThat(attachments(events, method("powersOff"))).containsOnlyKeys(files.keySet());
    }

    @Test
    void a_second_run_into_the_same_output_directory_replaces_the_attached_files() {
        tests(BootSample.class).assertStatistics(s -> s.succeeded(2));
        tests(BootSample.class).assertStatistics(s -> s.succeeded(2).failed(0));
    }

    @Test
    void a_failed_boot_still_attaches_its_console_log() throws IOException {
        Map<String, FileEntry> files = attachments(tests(PanicAtBoot.class), method("neverRuns"));
        assertThat(files).containsKey("console.log");
        assertThat(Files.readString(files.get("console.log").getPath()))
                .contains("Kernel panic - not syncing: VFS: Unable to mount root fs");
    }

    @Test
    void a_per_class_guest_attaches_its_files_to_the_class() {
        EngineExecutionResults results = run(SharedGuest.class, true);
        assertThat(attachments(results.containerEvents(), d -> d.getUniqueId().toString().endsWith("SharedGuest]")))
                .containsOnlyKeys("console.log", "summary.properties", "APIC.aml", "DSDT.aml");
        assertThat(results.testEvents().fileEntryPublished().count()).isZero();
    }

    @LinuxVm(arch = GuestArch.AARCH64)
    static class MatrixSample {
        @BootMatrix(modes = {BootMode.ACPI, BootMode.DEVICE_TREE})
        void firmware(SerialConsole console, BootMode mode, LinuxVmHandle vm) {
            assertThat(vm.mode()).isEqualTo(mode);
            assertThat(vm.artifacts()).containsKey(mode == BootMode.ACPI ? "DSDT.aml" : "guest.dtb");
            assertThat(console.exec("uname -m").output()).isEqualTo("aarch64");
        }

        @BootMatrix(modes = BootMode.ACPI, arches = {GuestArch.X86_64, GuestArch.AARCH64})
        void bothArches(Arch arch) {
            assertThat(FakeLauncher.SPECS.get(FakeLauncher.SPECS.size() - 1).arch()).isEqualTo(arch);
        }
    }

    @Test
    void matrix_invocations_are_named_by_arch_and_mode() {
        Events events = tests(MatrixSample.class);
        events.assertStatistics(s -> s.started(4).succeeded(4));
        events.succeeded().assertEventsMatchLooselyInOrder(
                event(test(), displayName("[aarch64, acpi]")),
                event(test(), displayName("[aarch64, device-tree]")));
        events.succeeded().assertEventsMatchLoosely(
                event(test(), displayName("[x86_64, acpi]")));
        assertThat(classDir(MatrixSample.class).resolve("firmware[aarch64,device-tree]")
                .resolve("guest.dtb")).exists();
        assertThat(classDir(MatrixSample.class).resolve("firmware[aarch64,acpi]")
                .resolve("DSDT.aml")).exists();
        Predicate<TestDescriptor> firmware = d -> d.getUniqueId().toString().contains("[test-template:firmware(");
        assertThat(attachments(events, firmware.and(d -> d.getDisplayName().equals("[aarch64, device-tree]"))))
                .containsOnlyKeys("console.log", "summary.properties", "guest.dtb");
        assertThat(attachments(events, firmware.and(d -> d.getDisplayName().equals("[aarch64, acpi]"))))
                .containsOnlyKeys("console.log", "summary.properties", "APIC.aml", "DSDT.aml");
    }

    @LinuxVm(arch = GuestArch.AARCH64, lifecycle = Lifecycle.PER_CLASS)
    @BootMatrix(modes = {BootMode.ACPI, BootMode.DEVICE_TREE})
    static class ClassMatrixSample {
        @Test
        void first(LinuxVmHandle vm, BootMode mode) {
            assertThat(vm.mode()).isEqualTo(mode);
        }

        @TestFactory
        Stream<DynamicNode> dynamic(SerialConsole console, BootMode mode) {
            return Stream.of(dynamicContainer("suite", Stream.of(dynamicTest("case", () ->
                    assertThat(console.exec("uname -m").output()).isEqualTo("aarch64")))));
        }
    }

    @Test
    void a_class_matrix_runs_every_test_once_per_entry_with_one_guest_each_for_a_per_class_lifecycle() {
        EngineExecutionResults results = run(ClassMatrixSample.class, true);
        results.testEvents().assertStatistics(s -> s.started(4).succeeded(4));
        results.containerEvents().succeeded().assertEventsMatchLooselyInOrder(
                event(container(), displayName("[aarch64, acpi]")),
                event(container(), displayName("[aarch64, device-tree]")));
        assertThat(FakeLauncher.SPECS).extracting(VmSpec::mode).containsExactly(BootMode.ACPI, BootMode.DEVICE_TREE);
        assertThat(FakeLauncher.VMS).allMatch(FakeVm::closed);
        assertThat(reports.resolve(GuestSession.safeFileName(ClassMatrixSample.class.getName() + "[aarch64,device-tree]"))
                .resolve("guest.dtb")).exists();
    }

    @LinuxVm(arch = GuestArch.X86_64)
    @BootMatrix(arches = {GuestArch.X86_64, GuestArch.AARCH64})
    static class ClassMatrixPerMethod {
        @Test
        void one(Arch arch) {
            assertThat(FakeLauncher.SPECS.get(FakeLauncher.SPECS.size() - 1).arch()).isEqualTo(arch);
        }

        @Test
        void two(Arch arch) {
            assertThat(FakeLauncher.SPECS.get(FakeLauncher.SPECS.size() - 1).arch()).isEqualTo(arch);
        }

        @BootMatrix
        void nested() {
        }
    }

    @Test
    void a_class_matrix_with_per_method_guests_boots_each_test_per_entry_and_rejects_a_method_matrix() {
        Events events = tests(ClassMatrixPerMethod.class);
        events.assertStatistics(s -> s.succeeded(4).failed(2));
        assertThat(FakeLauncher.SPECS).extracting(VmSpec::arch).containsOnly(Arch.X86_64, Arch.AARCH64).hasSize(4);
        events.failed().assertEventsMatchLoosely(event(test(), finishedWithFailure(
                instanceOf(ExtensionConfigurationException.class), message(m -> m.contains("keep one")))));
        assertThat(classDir(ClassMatrixPerMethod.class).resolveSibling(
                GuestSession.safeFileName(ClassMatrixPerMethod.class.getName() + "[aarch64,acpi]")).resolve("two")).isDirectory();
    }

    @LinuxVm(lifecycle = Lifecycle.PER_CLASS)
    @BootMatrix(arches = GuestArch.X86_64)
    @BootMatrix(arches = GuestArch.AARCH64, modes = {BootMode.ACPI, BootMode.DEVICE_TREE})
    @BootMatrix(arches = GuestArch.X86_64, modes = BootMode.ACPI)
    static class RepeatedClassMatrix {
        @Test
        void boots(Arch arch, BootMode mode) {
        }
    }

    static class RepeatedMethodMatrix {
        @BootMatrix(arches = GuestArch.AARCH64, modes = BootMode.DEVICE_TREE)
        @BootMatrix(arches = GuestArch.X86_64)
        void boots() {
        }
    }

    @Test
    void a_repeated_matrix_runs_every_pair_of_every_annotation_once_in_order() {
        EngineExecutionResults results = run(RepeatedClassMatrix.class, true);
        results.testEvents().assertStatistics(s -> s.started(3).succeeded(3));
        results.containerEvents().succeeded().assertEventsMatchLooselyInOrder(
                event(container(), displayName("[x86_64, acpi]")),
                event(container(), displayName("[aarch64, acpi]")),
                event(container(), displayName("[aarch64, device-tree]")));
        assertThat(FakeLauncher.SPECS).extracting(VmSpec::matrixName)
                .containsExactly("[x86_64, acpi]", "[aarch64, acpi]", "[aarch64, device-tree]");

        FakeLauncher.reset();
        tests(RepeatedMethodMatrix.class).assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(FakeLauncher.SPECS).extracting(VmSpec::matrixName)
                .containsExactlyInAnyOrder("[aarch64, device-tree]", "[x86_64, acpi]");
    }

    @LinuxVm(arch = GuestArch.X86_64, kernel = "/boot/vmlinux", provisioned = ProvisionedKernel.KUNIT)
    static class KernelFileAndKunit {
        @Test
        void boots() {
        }
    }

    @Test
    void a_kernel_file_and_the_kunit_kernel_together_are_a_configuration_error() {
        tests(KernelFileAndKunit.class).assertThatEvents().haveExactly(1, event(test("boots"), finishedWithFailure(
                instanceOf(ExtensionConfigurationException.class), message(m -> m.contains("not both")))));
        assertThat(FakeLauncher.SPECS).isEmpty();
    }

    @LinuxVm(arch = GuestArch.AARCH64, provisioned = ProvisionedKernel.KUNIT)
    static class KunitKernel {
        @Test
        void boots() {
        }
    }

    @Test
    void the_kunit_kernel_choice_reaches_the_launcher() {
        tests(KunitKernel.class).assertStatistics(s -> s.succeeded(1));
        assertThat(FakeLauncher.SPECS).extracting(VmSpec::provisioned).containsExactly(ProvisionedKernel.KUNIT);
        assertThat(FakeLauncher.SPECS.get(0).kernel()).isEmpty();
    }

    @LinuxVm(arch = GuestArch.X86_64, dataPort = true)
    static class WithDataPort {
        @Test
        void boots() {
        }
    }

    @Test
    void the_data_port_request_reaches_the_launcher_and_is_off_by_default() {
        EngineExecutionResults withPort = run(WithDataPort.class, true);
        withPort.testEvents().assertStatistics(s -> s.succeeded(1));
        tests(KunitKernel.class).assertStatistics(s -> s.succeeded(1));
        assertThat(FakeLauncher.SPECS).extracting(VmSpec::dataPort).containsExactly(true, false);
        // the fake guest has no data port: the report says so instead of copying slowly in silence
        List<String> published = withPort.allEvents().reportingEntryPublished()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow())
                .flatMap(r -> r.getKeyValuePairs().entrySet().stream())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.toList());
        assertThat(published).contains("linuxvm.data-port=not provided by the fake executor: copyIn and copyOut use the serial console");
    }

    static class DeviceTreeOnX86Matrix {
        @BootMatrix(modes = BootMode.DEVICE_TREE, arches = GuestArch.X86_64)
        void impossible() {
        }
    }

    static class DeviceTreeOnX86Method {
        @Test
        @LinuxVm(arch = GuestArch.X86_64, mode = BootMode.DEVICE_TREE)
        void impossible() {
        }
    }

    @Test
    void device_tree_on_x86_64_is_a_configuration_error() {
        String expected = "boot mode DEVICE_TREE is not supported on x86_64: use mode = ACPI, or arch = AARCH64";
        run(DeviceTreeOnX86Matrix.class, true).containerEvents().assertThatEvents().haveExactly(1,
                event(finishedWithFailure(instanceOf(ExtensionConfigurationException.class), message(expected))));
        tests(DeviceTreeOnX86Method.class).assertThatEvents().haveExactly(1,
                event(test("impossible"), finishedWithFailure(instanceOf(ExtensionConfigurationException.class), message(expected))));
        assertThat(FakeLauncher.SPECS).isEmpty();
    }

    static class KvmOnly {
        @Test
        @LinuxVm(arch = GuestArch.AARCH64, backend = BackendChoice.KVM)
        void needsKvm() {
        }
    }

    @LinuxVm(arch = GuestArch.AARCH64, backend = BackendChoice.KVM, skipWhenUnavailable = true)
    static class KvmOnlySkippable {
        @Test
        void needsKvm() {
        }
    }

    private EngineExecutionResults run(Class<?> sample, boolean withLauncher, boolean skipProperty) {
        var kit = EngineTestKit.engine("junit-jupiter")
                .configurationParameter(LinuxVmExtension.REPORT_DIR_PROPERTY, reports.toString())
                .configurationParameter(LinuxVmExtension.SKIP_WHEN_UNAVAILABLE_PROPERTY, String.valueOf(skipProperty))
                .selectors(selectClass(sample));
        if (withLauncher) {
            kit.configurationParameter(GuestLauncher.LAUNCHER_PROPERTY, FakeLauncher.class.getName());
        }
        return kit.execute();
    }

    @Test
    void a_guest_no_executor_can_run_fails_with_reason_fix_and_how_to_skip() {
        tests(KvmOnly.class).assertStatistics(s -> s.failed(1).aborted(0).succeeded(0))
                .assertThatEvents().haveExactly(1, event(test("needsKvm"), finishedWithFailure(
                        instanceOf(GuestLaunchException.class), message(m ->
                                m.contains("cannot boot an aarch64 guest (acpi, backend KVM) on this host")
                                && m.contains("fake: /dev/kvm is absent; use backend = QEMU or AUTO")
                                && m.contains("@LinuxVm(skipWhenUnavailable = true)")
                                && m.contains("-Dlinuxvm.skipWhenUnavailable=true")))));
        assertThat(FakeLauncher.SPECS).isEmpty();
    }

    @Test
    void skip_when_unavailable_on_the_class_skips_with_reason_and_fix() {
        tests(KvmOnlySkippable.class).assertStatistics(s -> s.aborted(1).failed(0).succeeded(0))
                .assertThatEvents().haveExactly(1, event(test("needsKvm"), abortedWithReason(
                        message(m -> m.contains("cannot boot an aarch64 guest (acpi, backend KVM) on this host")
                                && m.contains("fake: /dev/kvm is absent; use backend = QEMU or AUTO")))));
        assertThat(FakeLauncher.SPECS).isEmpty();
    }

    @Test
    void skip_when_unavailable_for_the_run_skips_with_reason_and_fix() {
        run(KvmOnly.class, true, true).testEvents().assertStatistics(s -> s.aborted(1).failed(0).succeeded(0))
                .assertThatEvents().haveExactly(1, event(test("needsKvm"), abortedWithReason(
                        message(m -> m.contains("fake: /dev/kvm is absent; use backend = QEMU or AUTO")))));
        // the property set to false is the default: fail
        run(KvmOnly.class, true, false).testEvents().assertStatistics(s -> s.failed(1).aborted(0));
    }

    @Test
    void skip_when_unavailable_never_hides_bad_input() {
        // a missing kernel is the test's mistake, not the host's: it fails even when skips are allowed
        run(MissingKernelSkippable.class, true, true).testEvents().assertStatistics(s -> s.failed(1).aborted(0))
                .assertThatEvents().haveExactly(1, event(test("neverRuns"), finishedWithFailure(
                        instanceOf(GuestLaunchException.class), message(m -> m.contains("fake: no kernel /nonexistent/vmlinux")
                                && !m.contains("skipWhenUnavailable")))));
    }

    @LinuxVm(arch = GuestArch.X86_64, kernel = "/nonexistent/vmlinux", skipWhenUnavailable = true)
    static class MissingKernelSkippable {
        @Test
        void neverRuns() {
        }
    }

    @Test
    void the_engine_launcher_is_registered_as_a_service() {
        assertThat(ServiceLoader.load(GuestLauncher.class)).singleElement().isInstanceOf(EngineGuestLauncher.class);
    }

    @Test
    void without_a_launcher_tests_fail_with_the_fix_unless_skips_are_allowed() {
        // Hide the launcher service file from the ServiceLoader the extension uses (the context loader).
        ClassLoader original = Thread.currentThread().getContextClassLoader();
        ClassLoader hiding = new ClassLoader(original) {
            @Override
            public java.util.Enumeration<java.net.URL> getResources(String name) throws IOException {
                return name.equals("META-INF/services/" + GuestLauncher.class.getName())
                        ? java.util.Collections.emptyEnumeration() : super.getResources(name);
            }
        };
        Thread.currentThread().setContextClassLoader(hiding);
        try {
            run(BootSample.class, false).testEvents().assertStatistics(s -> s.failed(2).succeeded(0).aborted(0))
                    .assertThatEvents().haveExactly(2, event(finishedWithFailure(instanceOf(GuestLaunchException.class),
                            message(m -> m.contains("no guest launcher is available") && m.contains("-Dlinuxvm.launcher=")))));
            run(BootSample.class, false, true).testEvents().assertStatistics(s -> s.aborted(2).succeeded(0).failed(0))
                    .assertThatEvents().haveExactly(2, event(abortedWithReason(message(m ->
                            m.startsWith("no guest launcher is available") && m.contains("-Dlinuxvm.launcher=")))));
        } finally {
            Thread.currentThread().setContextClassLoader(original);
        }
    }

    static class EngineKvmOnly {
        @Test
        @LinuxVm(arch = GuestArch.X86_64, backend = BackendChoice.KVM)
        void neverRuns() {
        }
    }

    static class EngineKvmOnlyAarch64 {
        @Test
        @LinuxVm(arch = GuestArch.AARCH64, backend = BackendChoice.KVM)
        void neverRuns() {
        }
    }

    @Test
    void the_engine_launcher_fails_when_its_executor_cannot_run_here_and_skips_when_asked() {
        // KVM runs only guests of the host's arch: the foreign one can never run on it
        Arch foreign = Arch.host() == Arch.X86_64 ? Arch.AARCH64 : Arch.X86_64;
        Class<?> sample = foreign == Arch.AARCH64 ? EngineKvmOnlyAarch64.class : EngineKvmOnly.class;
        String reason = "cannot boot an " + foreign + " guest (acpi, backend KVM) on this host: the KVM backend cannot run";
        run(sample, false).testEvents().assertStatistics(s -> s.failed(1).aborted(0).succeeded(0))
                .assertThatEvents().haveExactly(1, event(finishedWithFailure(instanceOf(GuestLaunchException.class),
                        message(m -> m.contains(reason) && m.contains("skipWhenUnavailable")))));
        run(sample, false, true).testEvents().assertStatistics(s -> s.aborted(1).failed(0).succeeded(0))
                .assertThatEvents().haveExactly(1, event(abortedWithReason(message(m -> m.contains(reason)))));
    }

    static class MissingFiles {
        @Test
        @LinuxVm(arch = GuestArch.X86_64, kernel = "/nonexistent/vmlinux", initrd = "/nonexistent/initramfs.cpio.gz",
                backend = BackendChoice.QEMU)
        void neverRuns() {
        }
    }

    @Test
    void an_engine_error_fails_the_test_with_its_message_and_the_report_path() {
        assumeTrue(dev.linuxvm.engine.launch.BackendSelector.availability(Arch.X86_64, BackendChoice.QEMU).available(),
                "needs qemu-system-x86_64 on PATH (apt-get install qemu-system-x86) to get past executor selection");
        run(MissingFiles.class, false).testEvents().assertThatEvents().haveExactly(1, event(test("neverRuns"),
                finishedWithFailure(instanceOf(GuestLaunchException.class), message(m ->
                        m.startsWith("cannot start the x86_64 guest (acpi, backend QEMU): initrd /nonexistent/initramfs.cpio.gz"
                                + " does not exist or is not a file: check the path")
                                && m.contains("report: " + classDir(MissingFiles.class).resolve("neverRuns").toAbsolutePath())))));
    }

    static class PanicAtBoot {
        @Test
        @LinuxVm(arch = GuestArch.X86_64, cmdline = "console=ttyS0 fake.panic-at-boot")
        void neverRuns() {
        }
    }

    static class HangAtBoot {
        @Test
        @LinuxVm(arch = GuestArch.X86_64, cmdline = "console=ttyS0 fake.hang", bootTimeout = 1)
        void neverRuns() {
        }
    }

    static class QuotedMarkersOnTheCommandLine {
        /** Every default marker, quoted in a parameter: the kernel prints the line during boot. */
        static final String CMDLINE = "console=ttyS0 linuxvm.note=\"Kernel panic,BUG:,Oops,Internal error: Oops,KASAN:,"
                + "Call Trace:,watchdog: BUG:\"";

        @Test
        @LinuxVm(arch = GuestArch.X86_64, cmdline = CMDLINE)
        void boots(SerialConsole console) {
            assertThat(console.exec("cat /proc/cmdline")).succeeded().hasOutput(CMDLINE);
        }
    }

    @Test
    void markers_quoted_on_the_kernel_command_line_do_not_fail_the_boot_wait() {
        assertThat(QuotedMarkersOnTheCommandLine.CMDLINE).contains(SerialConsole.DEFAULT_FAIL_FAST);
        tests(QuotedMarkersOnTheCommandLine.class).assertThatEvents()
                .haveExactly(1, event(test("boots"), finishedSuccessfully()));
    }

    @Test
    void a_panic_during_boot_fails_the_test_fast_with_the_panic_line_and_report_path() {
        long t0 = System.nanoTime();
        tests(PanicAtBoot.class).assertThatEvents().haveExactly(1, event(test("neverRuns"),
                finishedWithFailure(instanceOf(ConsoleException.GuestFailure.class), message(m ->
                        m.contains("waiting for \"linuxvm: userspace ready\"")
                                && m.contains("Failing line: [    0.512345] Kernel panic - not syncing: VFS: Unable to mount root fs")
                                && m.contains("report:   " + classDir(PanicAtBoot.class).resolve("neverRuns"))))));
        assertThat(System.nanoTime() - t0).isLessThan(20_000_000_000L);
        assertThat(FakeLauncher.VMS).allSatisfy(vm -> assertThat(vm.closed()).isTrue());
    }

    @Test
    void a_boot_that_never_reaches_userspace_times_out_with_the_tail() {
        tests(HangAtBoot.class).assertThatEvents().haveExactly(1, event(test("neverRuns"),
                finishedWithFailure(instanceOf(ConsoleException.Timeout.class), message(m ->
                        m.contains("Timed out waiting for \"linuxvm: userspace ready\"")
                                && m.contains("of 1000 ms")
                                && m.contains("| [    0.000000] Command line: console=ttyS0 fake.hang")))));
    }

    @LinuxVm(arch = GuestArch.AARCH64, lifecycle = Lifecycle.PER_CLASS)
    static class SharedGuest {
        @Test
        void first(SerialConsole console) {
            assertThat(console.exec("echo first").output()).isEqualTo("first");
        }

        @Test
        void second(SerialConsole console) {
            assertThat(console.exec("echo second").output()).isEqualTo("second");
        }
    }

    @Test
    void per_class_lifecycle_shares_one_guest() {
        tests(SharedGuest.class).assertStatistics(s -> s.started(2).succeeded(2));
        assertThat(FakeLauncher.VMS).hasSize(1);
        assertThat(FakeLauncher.VMS.get(0).closed()).isTrue();
        assertThat(classDir(SharedGuest.class).resolve("console.log")).exists();
    }

    @LinuxVm(arch = GuestArch.X86_64)
    static class PlainFailure {
        @Test
        void fails(SerialConsole console) {
            console.exec("echo marker-line");
            assertThat(1).isEqualTo(2);
        }
    }

    @Test
    void other_failures_carry_the_report_path_and_console_tail() {
        tests(PlainFailure.class).assertThatEvents().haveExactly(1, event(test("fails"),
                finishedWithFailure(instanceOf(AssertionError.class), new org.assertj.core.api.Condition<>(t ->
                        t.getSuppressed().length == 1
                                && t.getSuppressed()[0].getMessage().startsWith("linuxvm guest report: "
                                        + classDir(PlainFailure.class).resolve("fails"))
                                && t.getSuppressed()[0].getMessage().contains("  | marker-line"), "suppressed GuestReport"))));
    }

    static class NoAnnotation {
        @Test
        void wantsConsole(SerialConsole console) {
        }
    }

    @Test
    void console_parameter_without_annotation_is_not_resolved() {
        tests(NoAnnotation.class).assertStatistics(s -> s.failed(1));
    }

    @Test
    void timeout_scale_is_per_executor_and_user_factor() {
        assertThat(TimeoutScale.forBackend("kvm").factor()).isEqualTo(1.0);
        assertThat(TimeoutScale.forBackend("qemu-tcg").factor()).isEqualTo(TimeoutScale.TCG_FACTOR);
        assertThat(TimeoutScale.forBackend("qemu-tcg").apply(ofSeconds(30))).isEqualTo(ofSeconds(120));
        String old = System.getProperty(TimeoutScale.PROPERTY);
        System.setProperty(TimeoutScale.PROPERTY, "2.5");
        try {
            assertThat(TimeoutScale.forBackend("qemu-tcg").factor()).isEqualTo(10.0);
            assertThat(TimeoutScale.forBackend("qemu-tcg").describe()).isEqualTo("×10 for qemu-tcg (linuxvm.timeout.factor=2.5)");
            System.setProperty(TimeoutScale.PROPERTY, "fast");
            assertThatThrownBy(() -> TimeoutScale.forBackend("kvm")).hasMessageContaining("is not a number");
        } finally {
            if (old == null) {
                System.clearProperty(TimeoutScale.PROPERTY);
            } else {
                System.setProperty(TimeoutScale.PROPERTY, old);
            }
        }
    }
}
