package dev.linuxvm.cli;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.backend.qemu.QemuBackend;
import dev.linuxvm.engine.launch.BackendChoice;
import dev.linuxvm.engine.launch.BackendSelector;
import dev.linuxvm.engine.loader.Arm64ImageHeader;
import dev.linuxvm.engine.loader.ElfVmlinuxLoader;
import dev.linuxvm.kernels.GuestInitramfs;
import dev.linuxvm.kernels.ProvisioningException;
import dev.linuxvm.kernels.TestKernels;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * The training run behind {@code target/linuxvm.jsa}, the class-data-sharing archive the
 * {@code linuxvm} launcher script starts the CLI with (the build runs this class with
 * {@code -XX:DumpLoadedClassList} in the {@code package} phase, on the CLI jar, then dumps that list
 * into a static archive with {@code -Xshare:dump}).
 *
 * <p>It loads what a CLI run loads, through the CLI's own {@link LinuxVmCli#run}: picocli with
 * {@code --help}, {@code --version} and a usage error, the executor probe, the default guest's
 * lookup (with both override variables, so no cache is read), and for x86_64,
 * aarch64 ACPI and aarch64 device tree a whole {@code --kernel --initrd --exec --backend qemu} run
 * on a synthetic kernel that ends at once (x86_64: {@code ud2} without an IDT, a triple fault;
 * aarch64: PSCI SYSTEM_OFF), so the guest build, the QEMU executor and the console run too. No
 * provisioning and no network. Where QEMU is missing the runs stop after building the guest
 * (exit 5), which still trains the engine. The exit statuses are not judged: only the classes
 * loaded count ({@code --verbose} prints them). Not part of the CLI; {@code java -cp linuxvm.jar
 * dev.linuxvm.cli.CdsTraining [--verbose]}.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty(LinuxVmCli.PICOCLI_CONVERTER_EXCLUDES, "java\\..*"); // as LinuxVmCli.main
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true);
        Path dir = Files.createTempDirectory("linuxvm-cds");
        // the synthetic kernels' RAM templates stay out of the user's cache: made (x86_64, aarch64
        // ACPI) and used (aarch64 device tree) in here
        System.setProperty(QemuBackend.TEMPLATES_PROPERTY, dir.resolve("ram-templates").toString());
        List<String> report = new ArrayList<>();
        try {
            run(report, quiet, "--help", "--help");
            run(report, quiet, "--version", "--version");
            run(report, quiet, "usage-error", "--no-such-flag");
            for (Arch arch : Arch.values()) {
                try {
                    BackendSelector.select(arch, BackendChoice.AUTO);
                } catch (VmmException e) {
                    // no executor for that arch here: the probe ran all the same
                }
            }
            Path initrd = dir.resolve("initramfs.cpio.gz");
            Files.write(initrd, gzip(GuestInitramfs.base(new byte[64])));
            Path vmlinux = dir.resolve("vmlinux");
            Files.write(vmlinux, x86Vmlinux());
            Path image = dir.resolve("Image");
            Files.write(image, arm64Image());
            // the default guest's lookup, without a cache: both overrides set (the cache's own classes: loaded only)
            for (Arch arch : Arch.values()) {
                TestKernels.of(dir, Map.of(TestKernels.kernelOverrideVariable(arch), vmlinux.toString(),
                        TestKernels.initrdOverrideVariable(arch), initrd.toString()), line -> { }).get(arch);
            }
            for (String c : List.of("dev.linuxvm.kernels.GuestCache", ProvisioningException.class.getName())) {
                try {
                    Class.forName(c, false, CdsTraining.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(e);
                }
            }
            run(report, quiet, "x86_64", "--kernel", vmlinux.toString(), "--initrd", initrd.toString(), "--arch", "x86_64",
                    "--backend", "qemu", "--exec", "true", "--timeout", "5s");
            run(report, quiet, "aarch64-acpi", "--kernel", image.toString(), "--initrd", initrd.toString(), "--arch",
                    "aarch64", "--backend", "qemu", "--exec", "true", "--timeout", "5s");
            run(report, quiet, "aarch64-dt", "--kernel", image.toString(), "--initrd", initrd.toString(), "--arch",
                    "aarch64", "--device-tree", "--backend", "qemu", "--exec", "true", "--timeout", "5s");
        } finally {
            QemuBackend.awaitRamTemplates();
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        if (List.of(args).contains("--verbose")) {
            System.out.println("cds-training: exit statuses " + String.join("; ", report));
        }
    }

    private static void run(List<String> report, PrintStream quiet, String label, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = LinuxVmCli.run(args, new ByteArrayInputStream(new byte[0]), quiet,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String last = err.toString(StandardCharsets.UTF_8).strip().lines().reduce("", (a, b) -> b);
        report.add(label + " " + status + (last.isEmpty() ? "" : " (" + last + ")"));
    }

    /** An x86-64 vmlinux ELF with one PT_LOAD at 16 MiB whose startup_64 is {@code ud2}. */
    static byte[] x86Vmlinux() {
        int code = 0x1000;
        ByteBuffer b = ByteBuffer.allocate(code + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}); // magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT
        b.putShort(16, (short) 2);                         // e_type ET_EXEC
        b.putShort(18, (short) 62);                        // e_machine EM_X86_64
        b.putInt(20, 1);                                   // e_version
        b.putLong(24, 0x1000000);                          // e_entry (physical, as in a vmlinux)
        b.putLong(32, ElfVmlinuxLoader.EHDR_SIZE);         // e_phoff
        b.putShort(52, (short) ElfVmlinuxLoader.EHDR_SIZE); // e_ehsize
        b.putShort(54, (short) ElfVmlinuxLoader.PHDR_SIZE); // e_phentsize
        b.putShort(56, (short) 1);                         // e_phnum
        int ph = ElfVmlinuxLoader.EHDR_SIZE;
        b.putInt(ph, 1);                                   // p_type PT_LOAD
        b.putInt(ph + 4, 5);                               // p_flags R+X
        b.putLong(ph + 8, code);                           // p_offset
        b.putLong(ph + 16, 0xffffffff81000000L);           // p_vaddr
        b.putLong(ph + 24, 0x1000000);                     // p_paddr
        b.putLong(ph + 32, 16);                            // p_filesz
        b.putLong(ph + 40, 0x200000);                      // p_memsz
        b.putLong(ph + 48, 0x200000);                      // p_align
        b.put(code, new byte[] {0x0f, 0x0b, (byte) 0xeb, (byte) 0xfe}); // ud2; jmp .
        return b.array();
    }

    /** An arm64 Image (booting.rst header) that calls PSCI SYSTEM_OFF over HVC, then spins. */
    static byte[] arm64Image() {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x14000000 | (Arm64ImageHeader.SIZE / 4)); // code0: b to the code after the header
        b.putLong(16, 4096);                                   // image_size
        b.putLong(24, 0xA);                                    // flags: 4K pages, anywhere in RAM
        b.putInt(Arm64ImageHeader.MAGIC_OFFSET, Arm64ImageHeader.ARM64_IMAGE_MAGIC);
        b.position(Arm64ImageHeader.SIZE);
        b.putInt(0xD2800100);                                  // movz x0, #0x0008
        b.putInt(0xF2B08000);                                  // movk x0, #0x8400, lsl #16 (SYSTEM_OFF)
        b.putInt(0xD4000002);                                  // hvc #0
        b.putInt(0x14000000);                                  // b .
        return b.array();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
