package dev.linuxvm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.linuxvm.engine.Arch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Config, key, cache and tool checks of {@link KunitKernels}, with a fake source tree whose
 * Makefile writes a minimal x86-64 ELF header as vmlinux and counts its builds (no real build).
 */
class KunitKernelsTest {

    /** Stands in for the kernel's Makefile: olddefconfig keeps .config, the default goal "builds". */
    private static final String FAKE_MAKEFILE = String.join("\n",
        ".DEFAULT_GOAL := all",
        "olddefconfig:",
        "\t@echo '  fake olddefconfig'",
        "all:",
        "\t@echo build >> $(O)/../../builds",
        // ELF64 header start: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, 9 padding bytes,
        // e_type ET_EXEC (2), e_machine EM_X86_64 (62 = octal 076)
        "\t@printf '\\177ELF\\002\\001\\001\\000\\000\\000\\000\\000\\000\\000\\000\\000\\002\\000\\076\\000' > $(O)/vmlinux",
        "\t@head -c 100 /dev/zero >> $(O)/vmlinux",
        "");

    private static KernelSource.Tree fakeSource(Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("linux"));
        Files.writeString(root.resolve("Makefile"), FAKE_MAKEFILE);
        Path kunit = Files.createDirectories(root.resolve("tools/testing/kunit/configs"));
        Files.writeString(kunit.resolve("default.config"), "CONFIG_KUNIT=y\nCONFIG_KUNIT_EXAMPLE_TEST=y\nCONFIG_KUNIT_ALL_TESTS=y\n");
        Path qemu = Files.createDirectories(root.resolve("tools/testing/kunit/qemu_configs"));
        Files.writeString(qemu.resolve("x86_64.py"), "QEMU_ARCH = QemuArchParams(linux_arch='x86_64',\n"
            + "\t\t\t   kconfig='''\nCONFIG_SERIAL_8250=y\nCONFIG_SERIAL_8250_CONSOLE=y''',\n\t\t\t   qemu_arch='x86_64')\n");
        Files.writeString(qemu.resolve("arm64.py"), "QEMU_ARCH = QemuArchParams(linux_arch='arm64',\n"
            + "\t\t\t   kconfig='''\nCONFIG_SERIAL_AMBA_PL011=y\nCONFIG_SERIAL_AMBA_PL011_CONSOLE=y''')\n");
        return new KernelSource.Tree(root, KernelSource.PACKAGE, "6.1.1-1");
    }

    /** A PATH of stand-ins: the real make, and every other build tool as a link to true. */
    private static String fakeToolPath(Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path make = Path.of("/usr/bin/make");
        assumeTrue(Files.isExecutable(make), "needs make");
        Files.createSymbolicLink(bin.resolve("make"), make);
        for (Arch arch : Arch.values()) {
            for (HostTool t : KunitKernels.tools(arch, Arch.X86_64 == arch ? Arch.AARCH64 : Arch.X86_64)) {
                if (t.header()) {
                    assumeTrue(t.presentOn(""), "needs " + t.name() + " (" + t.debianPackage() + ")");
                } else if (!Files.exists(bin.resolve(t.name()))) {
                    Files.createSymbolicLink(bin.resolve(t.name()), Path.of("/bin/true"));
                }
            }
        }
        return bin + ":/usr/bin:/bin";
    }

    @Test
    void config_is_kunits_own_fragments_without_all_tests_plus_platform_and_suites(@TempDir Path dir) throws Exception {
        KernelSource.Tree src = fakeSource(dir);

        KunitConfig x86 = KunitConfig.forArch(Arch.X86_64, src.kunitTool());
        KunitConfig arm = KunitConfig.forArch(Arch.AARCH64, src.kunitTool());

        assertThat(x86.options()).containsEntry("CONFIG_KUNIT", "y").containsEntry("CONFIG_SERIAL_8250_CONSOLE", "y")
            .containsEntry("CONFIG_BLK_DEV_INITRD", "y").containsEntry("CONFIG_ACPI", "y")
            .containsEntry("CONFIG_LIST_KUNIT_TEST", "y").doesNotContainKey("CONFIG_KUNIT_ALL_TESTS")
            .doesNotContainKey("CONFIG_SERIAL_AMBA_PL011");
        assertThat(arm.options()).containsEntry("CONFIG_SERIAL_AMBA_PL011_CONSOLE", "y").containsEntry("CONFIG_EFI", "y")
            .containsEntry("CONFIG_ACPI", "y").containsEntry("CONFIG_ARM_GIC_V3", "y").containsEntry("CONFIG_BLK_DEV_INITRD", "y")
            .doesNotContainKey("CONFIG_SERIAL_8250");
        assertThat(x86.options().keySet()).containsAll(KunitConfig.SUITES.keySet());
        assertThat(x86.text()).contains("# tools/testing/kunit/qemu_configs/x86_64.py\nCONFIG_SERIAL_8250=y\n");
    }

    @Test
    void the_key_changes_with_the_config_and_the_source_version(@TempDir Path dir) throws Exception {
        KernelSource.Tree src = fakeSource(dir);
        String before = KunitKernels.key(src, KunitConfig.forArch(Arch.X86_64, src.kunitTool()));
        assertThat(KunitKernels.key(src, KunitConfig.forArch(Arch.X86_64, src.kunitTool()))).isEqualTo(before);
        assertThat(before).matches("linux-source-6\\.1_6\\.1\\.1-1_[0-9a-f]{12}");

        Files.writeString(src.kunitTool().resolve("configs/default.config"), "CONFIG_KUNIT=y\nCONFIG_KUNIT_DEBUGFS=y\n");
        assertThat(KunitKernels.key(src, KunitConfig.forArch(Arch.X86_64, src.kunitTool()))).isNotEqualTo(before);
        assertThat(KunitKernels.key(new KernelSource.Tree(src.root(), src.packageName(), "6.1.1-2"),
            KunitConfig.forArch(Arch.X86_64, src.kunitTool()))).startsWith("linux-source-6.1_6.1.1-2_");
        assertThat(KunitKernels.key(src, KunitConfig.forArch(Arch.AARCH64, src.kunitTool()))).isNotEqualTo(before);
    }

    @Test
    void options_lost_in_olddefconfig_are_named(@TempDir Path dir) throws Exception {
        KunitConfig config = KunitConfig.forArch(Arch.X86_64, fakeSource(dir).kunitTool());
        String dotConfig = config.text().replace("CONFIG_BLK_DEV_INITRD=y", "# CONFIG_BLK_DEV_INITRD is not set")
            .replace("CONFIG_SERIAL_8250=y", "CONFIG_SERIAL_8250=m");

        assertThat(config.missingFrom(dotConfig)).containsExactly("CONFIG_SERIAL_8250=y (got m)", "CONFIG_BLK_DEV_INITRD=y (got n)");
        assertThat(config.missingFrom(config.text())).isEmpty();
    }

    @Test
    void conflicting_values_in_the_fragments_are_rejected(@TempDir Path dir) throws Exception {
        KernelSource.Tree src = fakeSource(dir);
        Files.writeString(src.kunitTool().resolve("configs/default.config"), "CONFIG_KUNIT=y\n# CONFIG_ACPI is not set\n");

        assertThatThrownBy(() -> KunitConfig.forArch(Arch.X86_64, src.kunitTool())).isInstanceOf(ProvisioningException.class)
            .hasMessage("the KUnit config for x86_64 sets CONFIG_ACPI to both n and y");
    }

    @Test
    void the_suites_are_those_whose_option_the_builds_config_enables(@TempDir Path dir) throws Exception {
        KernelSource.Tree src = fakeSource(dir);
        Path initrd = Files.writeString(dir.resolve("initramfs.cpio.gz"), "i");
        KunitKernel k = KunitKernels.of(dir.resolve("cache"), Map.of("PATH", fakeToolPath(dir)), line -> { }, src, initrd)
            .get(Arch.X86_64);

        assertThat(k.suites()).hasSize(23).startsWith("kunit_executor_test", "kunit-try-catch-test").contains("example", "memcpy");

        Path config = k.buildDir().resolve(".config");
        Files.writeString(config, Files.readString(config).replace("CONFIG_LIST_KUNIT_TEST=y", "# CONFIG_LIST_KUNIT_TEST is not set"));
        assertThat(k.suites()).hasSize(21).doesNotContain("list-kunit-test", "hlist");
    }

    @Test
    void a_built_kernel_is_reused_and_rebuilt_only_when_damaged_or_the_config_changes(@TempDir Path dir) throws Exception {
        KernelSource.Tree src = fakeSource(dir);
        Path initrd = Files.writeString(dir.resolve("initramfs.cpio.gz"), "i");
        List<String> log = new ArrayList<>();
        KunitKernels kernels = KunitKernels.of(dir.resolve("cache"), Map.of("PATH", fakeToolPath(dir)), log::add, src, initrd);
        Path builds = dir.resolve("cache/kunit/x86_64/builds");

        KunitKernel first = kernels.get(Arch.X86_64);
        assertThat(Files.readAllLines(builds)).hasSize(1);
        assertThat(first.kernel()).isEqualTo(first.buildDir().resolve("vmlinux"));
        assertThat(first.buildDir().resolve(".kunitconfig")).hasContent(KunitConfig.forArch(Arch.X86_64, src.kunitTool()).text());
        assertThat(first.initramfs()).isEqualTo(initrd);
        assertThat(first.configSha256()).startsWith(first.buildDir().getParent().getFileName().toString().substring(25));

        KunitKernel again = kernels.get(Arch.X86_64);
        assertThat(again).isEqualTo(first);
        assertThat(Files.readAllLines(builds)).hasSize(1);

        Files.write(first.kernel(), new byte[] {1, 2, 3});
        assertThat(kernels.get(Arch.X86_64).kernelSha256()).isEqualTo(first.kernelSha256());
        assertThat(Files.readAllLines(builds)).hasSize(2);
        assertThat(log).anyMatch(l -> l.contains("does not match its manifest"));

        Files.writeString(src.kunitTool().resolve("configs/default.config"), "CONFIG_KUNIT=y\nCONFIG_KUNIT_DEBUGFS=y\n");
        KunitKernel other = kernels.get(Arch.X86_64);
        assertThat(other.buildDir()).isNotEqualTo(first.buildDir());
        assertThat(Files.readAllLines(builds)).hasSize(3);
    }

    @Test
    void a_build_that_leaves_no_x86_elf_fails_and_records_nothing(@TempDir Path dir) throws Exception {
        KernelSource.Tree src = fakeSource(dir);
        Files.writeString(src.root().resolve("Makefile"), FAKE_MAKEFILE.replace("\\076", "\\267")); // EM_AARCH64
        KunitKernels kernels = KunitKernels.of(dir.resolve("cache"), Map.of("PATH", fakeToolPath(dir)), s -> { }, src,
            dir.resolve("initrd"));

        assertThatThrownBy(() -> kernels.get(Arch.X86_64)).isInstanceOf(ProvisioningException.class)
            .hasMessageContaining("vmlinux is an ELF file for AArch64 (e_machine 183), expected an x86-64 ELF vmlinux");
        try (var s = Files.walk(dir.resolve("cache/kunit"))) {
            assertThat(s.filter(p -> p.getFileName().toString().equals(KunitKernels.MANIFEST))).isEmpty();
        }
    }

    @Test
    void missing_build_tools_are_named_with_their_packages_in_one_line(@TempDir Path dir) throws Exception {
        KernelSource.Tree src = fakeSource(dir);
        KunitKernels kernels = KunitKernels.of(dir.resolve("cache"), Map.of("PATH", dir.resolve("empty-bin").toString()),
            s -> { }, src, dir.resolve("initrd"));

        assertThatThrownBy(() -> kernels.get(Arch.AARCH64)).isInstanceOf(ProvisioningException.class)
            .hasMessageStartingWith("cannot build the KUnit aarch64 kernel: make, gcc, ")
            .hasMessageContaining("flex, bison, bc, perl")
            .hasMessageContaining(" not found: apt-get install make gcc ")
            .hasMessageContaining("flex bison bc perl")
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        try (var s = Files.list(dir.resolve("cache/kunit/aarch64"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("lock");
        }
    }

    @Test
    void a_cross_build_needs_the_cross_compiler_and_x86_needs_libelf() {
        assertThat(KunitKernels.tools(Arch.AARCH64, Arch.X86_64))
            .contains(HostTool.program("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"));
        assertThat(KunitKernels.tools(Arch.X86_64, Arch.AARCH64))
            .contains(HostTool.program("x86_64-linux-gnu-gcc", "gcc-x86-64-linux-gnu"))
            .contains(HostTool.header("/usr/include/gelf.h", "libelf-dev"));
        assertThat(KunitKernels.tools(Arch.X86_64, Arch.X86_64)).noneMatch(t -> t.name().endsWith("-gcc"));
    }
}
