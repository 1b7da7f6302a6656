package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.Arm64BootState;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.RunningVm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The QEMU executor's RAM templates ({@link RamTemplate}) with QEMU itself (TCG, a guest that
 * spins): the first start of a kernel file copies it and makes its template; later starts map
 * the template copy-on-write and get the rest of the image written into QEMU's memory; what QEMU
 * holds is read back with the monitor's {@code xp}. A template that holds more than the image
 * has that zeroed in the guest, never in the file; a kernel file changed since gets no template.
 */
class QemuRamTemplateTest {
    private static final long MIB = 1L << 20;
    private static final int KERNEL_LENGTH = 3 * 4096 + 123;
    /** Where a slice the image does not write is put into the template by hand. */
    private static final long STALE_OFFSET = 32 * MIB;

    @TempDir
    Path workRoot; // short: the work directories' FIFOs
    /** On the build's disk, not in /tmp: templates are refused on tmpfs, which /tmp may be. */
    private Path templates;
    @TempDir
    Path files;

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

    @ParameterizedTest
    @EnumSource(Arch.class)
    void the_first_start_makes_the_template_and_the_next_maps_it_with_the_rest_written_in(Arch arch) throws Exception {
        QemuBackend backend = backend(arch);
        byte[] kernelBytes = randomBytes(KERNEL_LENGTH, 1);
        Path kernel = Files.write(files.resolve("kernel"), kernelBytes);
        GuestImage image = image(arch, kernel, "first boot data");

        try (QemuVm vm = (QemuVm) backend.start(image, new CapturingConsole())) {
            assertThat(commandLine(vm)).as("the first start: no template yet").doesNotContain(templates.toString());
            assertThat(guestBytes(vm, kernelAt(arch), 32)).as("the kernel, copied").isEqualTo(Arrays.copyOf(kernelBytes, 32));
        }
        QemuBackend.awaitRamTemplates();
        Path template = onlyTemplate();
        assertThat(Files.size(template)).isEqualTo(RamTemplate.FILE_SIZE);
        assertThat(fileBytes(template, ramOffset(arch, kernelAt(arch)), KERNEL_LENGTH)).as("the template's kernel slice")
                .isEqualTo(kernelBytes);
        assertThat(fileBytes(template, ramOffset(arch, dataAt(arch)), 16)).as("per-boot data is not in the template")
                .isEqualTo(new byte[16]);

        GuestImage second = image(arch, kernel, "second boot data");
        try (QemuVm vm = (QemuVm) backend.start(second, new CapturingConsole())) {
            assertThat(commandLine(vm)).as("QEMU maps the template copy-on-write")
                    .contains("mem-path=" + template.toRealPath() + ",share=off");
            assertThat(guestBytes(vm, kernelAt(arch), KERNEL_LENGTH)).as("the kernel, from the template").isEqualTo(kernelBytes);
            assertThat(new String(guestBytes(vm, dataAt(arch), 16), StandardCharsets.US_ASCII))
                    .as("this start's own data, written into QEMU's memory").isEqualTo("second boot data");
        }
        assertThat(list(templates)).as("the template and its list, nothing else").hasSize(2);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void a_start_ahead_for_the_kernel_maps_its_template(Arch arch) throws Exception {
        QemuBackend backend = backend(arch);
        byte[] kernelBytes = randomBytes(KERNEL_LENGTH, 2);
        Path kernel = Files.write(files.resolve("kernel"), kernelBytes);
        Path template = firstStart(backend, arch, kernel);

        try (Backend.Prestart ahead = backend.prestart(arch, 128 * MIB, 1, false, kernel)) {
            try (QemuVm vm = (QemuVm) ahead.start(image(arch, kernel, "ahead boot data"), new CapturingConsole())) {
                // not before start(): until then the wrapper shell may not have become QEMU yet
                assertThat(commandLine(vm)).as("QEMU started ahead on the template")
                        .contains("mem-path=" + template.toRealPath() + ",share=off");
                assertThat(processesNaming(template.toRealPath())).as("QEMUs mapping the template").hasSize(1);
                assertThat(guestBytes(vm, kernelAt(arch), KERNEL_LENGTH)).isEqualTo(kernelBytes);
                assertThat(new String(guestBytes(vm, dataAt(arch), 15), StandardCharsets.US_ASCII)).isEqualTo("ahead boot data");
            }
        }
        assertThat(processesNaming(template.toRealPath())).as("processes mapping the template after close").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void what_the_template_holds_beyond_the_image_is_zero_in_the_guest_and_stays_in_the_file(Arch arch) throws Exception {
        QemuBackend backend = backend(arch);
        byte[] kernelBytes = randomBytes(KERNEL_LENGTH, 3);
        Path kernel = Files.write(files.resolve("kernel"), kernelBytes);
        Path template = firstStart(backend, arch, kernel);
        // a slice of another make of the kernel (another file offset), which this image does not write
        byte[] stale = randomBytes(8192, 4);
        try (RandomAccessFile f = new RandomAccessFile(template.toFile(), "rw")) {
            f.seek(STALE_OFFSET);
            f.write(stale);
        }
        Path list = template.resolveSibling(template.getFileName().toString().replace(RamTemplate.SUFFIX, RamTemplate.SLICES_SUFFIX));
        Files.writeString(list, Long.toHexString(STALE_OFFSET) + " 1000 2000\n", java.nio.file.StandardOpenOption.APPEND);

        try (QemuVm vm = (QemuVm) backend.start(image(arch, kernel, "stale boot data"), new CapturingConsole())) {
            assertThat(commandLine(vm)).contains(template.toRealPath().toString());
            assertThat(guestBytes(vm, ramBase(arch) + STALE_OFFSET, stale.length)).as("the stale slice in the guest")
                    .isEqualTo(new byte[stale.length]);
            assertThat(guestBytes(vm, kernelAt(arch), KERNEL_LENGTH)).isEqualTo(kernelBytes);
        }
        assertThat(fileBytes(template, STALE_OFFSET, stale.length)).as("the template file after the guest").isEqualTo(stale);
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void a_kernel_file_changed_after_its_template_was_made_is_copied_again(Arch arch) throws Exception {
        QemuBackend backend = backend(arch);
        Path kernel = Files.write(files.resolve("kernel"), randomBytes(KERNEL_LENGTH, 5));
        Path old = firstStart(backend, arch, kernel);
        RamTemplate found = RamTemplate.find(templates, arch, kernel).orElseThrow();
        byte[] rebuilt = randomBytes(KERNEL_LENGTH, 6);
        Files.write(kernel, rebuilt); // same size, same inode: the times tell
        Files.setLastModifiedTime(kernel, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));

        assertThat(found.current()).as("the template found before the change").isFalse();
        QemuCommandLine.Invocation loads = QemuCommandLine.loads(image(arch, kernel, "x"), workRoot, new QemuCommandLine.Ram.Template(old));
        assertThat(found.missing(loads.ramWrites())).as("a stale template holds none of the writes").isEqualTo(loads.ramWrites());
        assertThat(found.stale(loads.ramWrites())).as("and all of its slices are zeroed").isEqualTo(found.slices());
        try (QemuVm vm = (QemuVm) backend.start(image(arch, kernel, "changed"), new CapturingConsole())) {
            assertThat(commandLine(vm)).as("no template for the changed kernel").doesNotContain(templates.toString());
            assertThat(guestBytes(vm, kernelAt(arch), KERNEL_LENGTH)).isEqualTo(rebuilt);
        }
        QemuBackend.awaitRamTemplates();
        assertThat(list(templates)).as("the old template (kept until idle) and the new one, with their lists").hasSize(4);
    }

    /** Starts and closes a guest of {@code kernel}, the first: returns the template that start made. */
    private Path firstStart(QemuBackend backend, Arch arch, Path kernel) throws Exception {
        try (RunningVm vm = backend.start(image(arch, kernel, "makes it"), new CapturingConsole())) {
            assertThat(vm.exit()).isEmpty();
        }
        QemuBackend.awaitRamTemplates();
        return onlyTemplate();
    }

    private QemuBackend backend(Arch arch) {
        QemuBackend backend = QemuBackend.builder().tcgOnly().workRoot(workRoot).ramTemplates(templates).build();
        assumeTrue(backend.availability(arch).available(), () -> backend.availability(arch).reason());
        return backend;
    }

    /** A spinning test guest of 128 MiB, with {@code kernel} at {@link #kernelAt} and {@code data} at {@link #dataAt}. */
    private static GuestImage image(Arch arch, Path kernel, String data) {
        MemoryRegion kernelRegion = MemoryRegion.ofFile("kernel", kernelAt(arch), kernel, 0, KERNEL_LENGTH, KERNEL_LENGTH);
        if (arch == Arch.X86_64) {
            return GuestImage.builder(Arch.X86_64)
                    .ram(0, 128 * MIB)
                    .region(MemoryRegion.of("gdt", TestGuests.X86_GDT, TestGuests.gdt()))
                    .region(MemoryRegion.of("rsi text", TestGuests.X86_RSI_DATA, TestGuests.cString(data)))
                    .region(MemoryRegion.of("page tables", TestGuests.X86_PML4, TestGuests.pageTables()))
                    .region(MemoryRegion.of("code", TestGuests.X86_CODE, TestGuests.X86_LOOP))
                    .region(kernelRegion)
                    .bootState(TestGuests.x86State())
                    .build();
        }
        return GuestImage.builder(Arch.AARCH64)
                .ram(0x4000_0000L, 128 * MIB)
                .region(MemoryRegion.of("code", TestGuests.ARM_CODE, TestGuests.words(TestGuests.ARM_LOOP)))
                .region(MemoryRegion.of("x0 text", TestGuests.ARM_X0_DATA, TestGuests.cString(data)))
                .region(kernelRegion)
                .bootState(new Arm64BootState(TestGuests.ARM_CODE, TestGuests.ARM_X0_DATA))
                .build();
    }

    private static long ramBase(Arch arch) {
        return arch == Arch.X86_64 ? 0 : 0x4000_0000L;
    }

    private static long kernelAt(Arch arch) {
        return ramBase(arch) + 16 * MIB;
    }

    private static long dataAt(Arch arch) {
        return arch == Arch.X86_64 ? TestGuests.X86_RSI_DATA : TestGuests.ARM_X0_DATA;
    }

    private static long ramOffset(Arch arch, long address) {
        return address - ramBase(arch);
    }

    private static final Pattern BYTE = Pattern.compile("0x([0-9a-f]{2})\\b");

    /** {@code length} bytes of guest physical memory from {@code address}, through the monitor's {@code xp}. */
    private static byte[] guestBytes(QemuVm vm, long address, int length) {
        String reply = vm.execute("human-monitor-command",
                "{\"command-line\":\"xp /" + length + "xb 0x" + Long.toHexString(address) + "\"}");
        byte[] bytes = new byte[length];
        int i = 0;
        for (String line : reply.split("\\\\r\\\\n|\\\\n")) {
            int colon = line.indexOf(": ");
            if (colon < 0) {
                continue;
            }
            Matcher m = BYTE.matcher(line.substring(colon));
            while (m.find() && i < length) {
                bytes[i++] = (byte) Integer.parseInt(m.group(1), 16);
            }
        }
        assertThat(i).as("bytes in the monitor's reply %s", reply.length() > 200 ? reply.substring(0, 200) : reply).isEqualTo(length);
        return bytes;
    }

    private static byte[] fileBytes(Path file, long offset, int length) throws IOException {
        byte[] b = new byte[length];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.seek(offset);
            f.readFully(b);
        }
        return b;
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String commandLine(QemuVm vm) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc/" + vm.qemuPid() + "/cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
    }

    private Path onlyTemplate() throws IOException {
        List<Path> made = list(templates).stream().filter(p -> p.toString().endsWith(RamTemplate.SUFFIX)).toList();
        assertThat(made).as("templates in %s", templates).hasSize(1);
        return made.get(0);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static List<Long> processesNaming(Path path) throws IOException {
        return QemuCycleLeakTest.processesNaming(path).stream()
                .filter(pid -> {
                    try {
                        return Files.readString(Path.of("/proc/" + pid + "/comm")).startsWith("qemu-system");
                    } catch (IOException e) {
                        return false;
                    }
                })
                .toList();
    }
}
