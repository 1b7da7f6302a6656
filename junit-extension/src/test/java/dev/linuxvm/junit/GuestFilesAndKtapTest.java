package dev.linuxvm.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.opentest4j.AssertionFailedError;

/** {@link GuestFile} configuration errors and the KTAP entry points, on the fake launcher. */
class GuestFilesAndKtapTest {
    @TempDir
    Path reports;

    @BeforeEach
    void reset() {
        FakeLauncher.reset();
    }

    private Events run(Class<?> sample) {
        return results(sample).allEvents();
    }

    private EngineExecutionResults results(Class<?> sample) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter(LinuxVmExtension.REPORT_DIR_PROPERTY, reports.toString())
                .configurationParameter(GuestLauncher.LAUNCHER_PROPERTY, FakeLauncher.class.getName())
                .outputDirectoryCreator(new TestOutputDirectories(reports.resolve("junit-output")))
                .selectors(selectClass(sample))
                .execute();
    }

    @LinuxVm
    static class FailingKtapProgram {
        @TestFactory
        Stream<DynamicNode> ktap(SerialConsole console) {
            return console.ktapTests("ktap-demo");
        }
    }

    @Test
    void a_failing_ktap_case_fails_its_test_and_the_others_keep_their_results() {
        EngineExecutionResults results = results(FailingKtapProgram.class);
        Events events = results.allEvents();
        Events tests = results.testEvents();

        events.assertThatEvents()
                .haveExactly(1, event(test(), displayName("passes"), finishedSuccessfully()))
                .haveExactly(1, event(test(), displayName("fails"),
                        finishedWithFailure(instanceOf(AssertionFailedError.class),
                                message("not ok 2 fails (line 5)\n  # expected 42, got 41"))))
                .haveExactly(1, event(test(), displayName("skipped"),
                        abortedWithReason(message(m -> m.endsWith(": needs hardware")))));
        assertThat(tests.failed().count()).isEqualTo(1);
        assertThat(tests.aborted().count()).isEqualTo(1);
        assertThat(tests.succeeded().count()).isEqualTo(1);
    }

    @LinuxVm
    @GuestFile(host = "src/test/resources/no-such-file.sh", guest = "/opt/prog.sh")
    static class MissingHostFile {
        @Test
        void never() {
        }
    }

    @Test
    void a_missing_host_file_is_a_configuration_error_naming_the_entry_before_any_boot() {
        Path missing = Path.of("src/test/resources/no-such-file.sh").toAbsolutePath();
        run(MissingHostFile.class).assertThatEvents().haveExactly(1, event(test("never"), finishedWithFailure(
                instanceOf(ExtensionConfigurationException.class),
                message(m -> m.startsWith("guest file " + missing + " -> /opt/prog.sh: " + missing + " is not a file or directory")))));
        assertThat(FakeLauncher.SPECS).isEmpty();
    }

    @LinuxVm(files = @GuestFile(host = "pom.xml", guest = "opt/pom.xml"))
    static class RelativeGuestPath {
        @Test
        void never() {
        }
    }

    @Test
    void a_relative_guest_path_is_a_configuration_error() {
        Path pom = Path.of("pom.xml").toAbsolutePath();
        run(RelativeGuestPath.class).assertThatEvents().haveExactly(1, event(test("never"), finishedWithFailure(
                instanceOf(ExtensionConfigurationException.class),
                message("guest file " + pom + " -> opt/pom.xml: the guest path 'opt/pom.xml' is not absolute: start it with /"))));
        assertThat(FakeLauncher.SPECS).isEmpty();
    }

    @LinuxVm(files = @GuestFile(host = "pom.xml", guest = "/opt/x"))
    @GuestFile(host = "src", guest = "/opt")
    static class Collision {
        @Test
        @GuestFile(host = "pom.xml", guest = "/opt/x", mode = 0600)
        void never() {
        }
    }

    @Test
    void two_entries_for_one_guest_path_are_a_configuration_error_naming_both() {
        Path pom = Path.of("pom.xml").toAbsolutePath();
        run(Collision.class).assertThatEvents().haveExactly(1, event(test("never"), finishedWithFailure(
                instanceOf(ExtensionConfigurationException.class),
                message("guest file " + pom + " -> /opt/x and guest file " + pom + " -> /opt/x (mode 0600) both place /opt/x: keep one"))));
        assertThat(FakeLauncher.SPECS).isEmpty();
    }

    @LinuxVm
    @GuestFile(host = "pom.xml", guest = "/opt/pom.xml", mode = 0600)
    @GuestModules(host = "src/test", release = "6.1.0-test")
    static class Placed {
        @Test
        @GuestFile(host = "src/test/resources", guest = "/opt/res")
        void runs() {
        }
    }

    @Test
    void class_and_method_entries_reach_the_launcher_with_absolute_host_paths() {
        run(Placed.class).assertThatEvents().haveExactly(1, event(test("runs"), finishedSuccessfully()));

        assertThat(FakeLauncher.SPECS).singleElement().satisfies(spec -> {
            assertThat(spec.files()).containsExactly(
                    new dev.linuxvm.launcher.GuestFile(Path.of("pom.xml").toAbsolutePath(), "/opt/pom.xml", 0600),
                    new dev.linuxvm.launcher.GuestFile(Path.of("src/test/resources").toAbsolutePath(), "/opt/res", -1));
            assertThat(spec.modules()).containsExactly(new dev.linuxvm.launcher.GuestModules(
                    Path.of("src/test").toAbsolutePath(), java.util.Optional.of("6.1.0-test")));
        });
    }
}
