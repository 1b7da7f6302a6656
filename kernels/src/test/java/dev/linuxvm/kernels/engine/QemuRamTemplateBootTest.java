package dev.linuxvm.kernels.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.qemu.QemuBackend;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.launch.DefaultCmdline;
import dev.linuxvm.engine.launch.GuestFactory;
import dev.linuxvm.engine.launch.GuestSpec;
import dev.linuxvm.kernels.GuestInitramfs;
import dev.linuxvm.kernels.TestKernel;
import dev.linuxvm.kernels.TestKernels;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The QEMU executor's RAM templates with the provisioned Debian kernels: the first boot copies
 * the kernel and makes its template; then two guests boot from the template at once, one
 * started plainly and one started ahead, each with its own command line and initramfs (written
 * into its QEMU through /proc/PID/mem), each with private memory; afterwards the template still
 * holds exactly the kernel file's bytes and nothing maps it.
 */
class QemuRamTemplateBootTest {
    private static final Duration BOOT = Duration.ofSeconds(180);
    private static final Duration STEP = Duration.ofSeconds(30);

    @TempDir
    Path workRoot; // short: the work directories' FIFOs
    /** On the build's disk: templates are refused on tmpfs, which /tmp may be. */
    private Path templates;

    @BeforeEach
    void templates() throws IOException {
        templates = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "ram-templates-");
    }

    @AfterEach
    void removeTemplates() throws IOException {
        QemuBackend.awaitRamTemplates();
        for (Path p : list(templates)) {
            Files.delete(p);
        }
        Files.delete(templates);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"X86_64, ACPI", "AARCH64, ACPI", "AARCH64, DEVICE_TREE"})
    void two_debian_guests_boot_at_once_from_the_template_the_first_boot_made(Arch arch, BootMode mode) throws Exception {
        QemuBackend qemu = QemuBackend.builder().workRoot(workRoot).ramTemplates(templates).build();
        assumeTrue(qemu.availability(arch).available(), () -> qemu.availability(arch).reason());
        TestKernel k = TestKernels.forArch(arch);
        byte[] initramfs = Files.readAllBytes(k.initramfs());

        ConsoleCapture first = new ConsoleCapture();
        try (RunningVm vm = qemu.start(image(arch, mode, k, initramfs, "first"), first)) {
            bootToShell(vm, first);
            QemuSnapshotBootTest.answer(vm, first, "cat /proc/cmdline; echo one-$((1+1))", "one-2");
            assertThat(first.text()).contains("linuxvm.test=first");
        }
        QemuBackend.awaitRamTemplates();
        Path template = list(templates).stream().filter(p -> p.toString().endsWith(".ram")).findFirst().orElseThrow(
                () -> new AssertionError("no template made in " + templates));

        ConsoleCapture a = new ConsoleCapture();
        ConsoleCapture b = new ConsoleCapture();
        try (Backend.Prestart ahead = qemu.prestart(arch, 512L << 20, 1, false, k.kernel());
             RunningVm vmA = qemu.start(image(arch, mode, k, initramfs, "plain"), a);
             RunningVm vmB = ahead.start(image(arch, mode, k, initramfs, "ahead"), b)) {
            assertThat(processesNaming(template.toRealPath())).as("QEMUs mapping the template").hasSize(2);
            bootToShell(vmA, a);
            bootToShell(vmB, b);
            QemuSnapshotBootTest.answer(vmA, a, "cat /proc/cmdline; echo a > /root/only-a; echo a-$((1+1))", "a-2");
            QemuSnapshotBootTest.answer(vmB, b, "cat /proc/cmdline; [ -e /root/only-a ] && echo seen-$((3+3)) || echo absent-$((3+3))", "-6");
            assertThat(a.text()).as("guest A's console:%n%s", a.tail(20)).contains("linuxvm.test=plain").doesNotContain("linuxvm.test=ahead");
            assertThat(b.text()).as("guest B's console:%n%s", b.tail(20)).contains("linuxvm.test=ahead", "absent-6")
                    .doesNotContain("linuxvm.test=plain");
            for (ConsoleCapture c : List.of(a, b)) {
                assertThat(c.text()).contains("Linux version " + (TestKernel.CUSTOM.equals(k.kernelRelease()) ? "" : k.kernelRelease()));
            }
        }
        assertThat(processesNaming(templates)).as("processes naming %s after close", templates).isEmpty();
        assertThat(list(templates)).as("the template and its list").hasSize(2);
        assertHoldsKernel(template, k.kernel());
    }

    private static GuestImage image(Arch arch, BootMode mode, TestKernel k, byte[] initramfs, String marker) {
        return GuestFactory.build(new GuestSpec(arch, mode, k.kernel(), initramfs,
                DefaultCmdline.forArch(arch, true) + " linuxvm.test=" + marker, 512, 1));
    }

    /** Every slice the template lists equals the kernel file's bytes there: no guest wrote into the file. */
    private static void assertHoldsKernel(Path template, Path kernel) throws IOException {
        Path list = template.resolveSibling(template.getFileName().toString().replace(".ram", ".slices"));
        int slices = 0;
        try (RandomAccessFile t = new RandomAccessFile(template.toFile(), "r");
             RandomAccessFile f = new RandomAccessFile(kernel.toFile(), "r")) {
            for (String line : Files.readAllLines(list)) {
                if (line.startsWith("#")) {
                    continue;
                }
                String[] p = line.split(" ");
                byte[] inTemplate = new byte[Integer.parseInt(p[2], 16)];
                byte[] inFile = new byte[inTemplate.length];
                t.seek(Long.parseLong(p[0], 16));
                t.readFully(inTemplate);
                f.seek(Long.parseLong(p[1], 16));
                f.readFully(inFile);
                assertThat(Arrays.equals(inTemplate, inFile)).as("template slice %s equals the kernel file", line).isTrue();
                slices++;
            }
        }
        assertThat(slices).as("slices in %s", list).isPositive();
    }

    private static void bootToShell(RunningVm vm, ConsoleCapture console) throws Exception {
        try {
            console.await(GuestInitramfs.READY_MARKER, BOOT);
            console.await(GuestInitramfs.PROMPT, STEP);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no shell; exit " + vm.exit() + "; last lines:\n" + console.tail(30), e);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** Live QEMU processes whose command line mentions {@code path}. */
    private static List<Long> processesNaming(Path path) throws IOException {
        return QemuSnapshotBootTest.processesNaming(path).stream().filter(pid -> {
            try {
                return Files.readString(Path.of("/proc/" + pid + "/comm")).startsWith("qemu-system");
            } catch (IOException e) {
                return false; // exited meanwhile
            }
        }).toList();
    }
}
