package dev.linuxvm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.loader.KernelFormat;
import dev.linuxvm.engine.loader.Arm64ImageHeader;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The real build, into the default cache: minutes per arch when cold (CI installs the tools, see
 * .ci/run), a SHA-256 check when warm. Skips, with the packages to install, where a tool is missing.
 */
class KunitKernelBuildTest {

    private static KunitKernel built(Arch arch) {
        Arch host = Arch.host() == null ? Arch.X86_64 : Arch.host();
        for (HostTool t : KunitKernels.tools(arch, host)) {
            assumeTrue(t.presentOn(System.getenv("PATH")), "building the KUnit " + arch + " kernel needs " + t.name()
                + ": apt-get install " + t.debianPackage());
        }
        return KunitKernels.fromEnvironment(line -> System.out.println("linuxvm: " + line)).get(arch);
    }

    private static byte[] head(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(4096); // the ELF header and its program headers
        }
    }

    @Test
    void the_x86_64_kernel_is_the_builds_elf_vmlinux_with_initrd_support() throws Exception {
        KunitKernel k = built(Arch.X86_64);

        assertThat(k.kernel()).isEqualTo(k.buildDir().resolve("vmlinux"));
        assertThat(KernelFormat.detect(head(k.kernel())).elfMachine()).isEqualTo(KernelFormat.EM_X86_64);
        assertThat(k.buildDir().resolve(".config")).content()
            .contains("CONFIG_BLK_DEV_INITRD=y", "CONFIG_KUNIT=y", "CONFIG_SERIAL_8250_CONSOLE=y", "CONFIG_ACPI=y")
            .doesNotContain("CONFIG_KUNIT_ALL_TESTS=y");
        assertThat(k.buildDir().resolve("arch/x86/boot/bzImage")).as("what kunit.py exec boots").isRegularFile();
        assertThat(k.kunitTool().resolve("kunit.py")).isRegularFile();
    }

    @Test
    void the_aarch64_kernel_is_an_arm64_image_with_acpi_efi_and_initrd_support() throws Exception {
        KunitKernel k = built(Arch.AARCH64);

        // "ARM\x64" at 0x38 (Documentation/arch/arm64/booting.rst)
        int magic = ByteBuffer.wrap(head(k.kernel()), Arm64ImageHeader.MAGIC_OFFSET, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertThat(magic).isEqualTo(Arm64ImageHeader.ARM64_IMAGE_MAGIC);
        assertThat(k.kernel()).isEqualTo(k.buildDir().resolve("arch/arm64/boot/Image"));
        assertThat(k.buildDir().resolve(".config")).content()
            .contains("CONFIG_BLK_DEV_INITRD=y", "CONFIG_ACPI=y", "CONFIG_EFI=y", "CONFIG_SERIAL_AMBA_PL011_CONSOLE=y",
                "CONFIG_ARM_GIC_V3=y");
        assertThat(k.buildDir().resolve("arch/arm64/boot/Image.gz")).as("what kunit.py exec boots").isRegularFile();
    }
}
