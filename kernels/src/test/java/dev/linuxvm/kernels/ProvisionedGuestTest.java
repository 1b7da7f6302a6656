package dev.linuxvm.kernels;

import dev.linuxvm.engine.loader.Arm64ImageHeader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.initramfs.CpioEntry;
import dev.linuxvm.engine.initramfs.CpioReader;
import dev.linuxvm.engine.initramfs.FileType;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import dev.linuxvm.engine.loader.ElfKernel;
import dev.linuxvm.engine.loader.ElfVmlinuxLoader;
import dev.linuxvm.engine.loader.KernelFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provisioned guests are real kernels and initramfs images (uses the default cache). */
class ProvisionedGuestTest {

    @Test
    void x86_64_vmlinux_is_an_elf64_x86_64_with_load_segments_and_an_entry() throws Exception {
        TestKernel k = TestKernels.forArch(Arch.X86_64);
        assertThat(KernelFormat.detect(Files.readAllBytes(k.kernel())).elfMachine()).isEqualTo(KernelFormat.EM_X86_64);
        // the engine's loader rejects anything but an ELF64 little-endian ET_EXEC for EM_X86_64
        ElfKernel h = ElfVmlinuxLoader.load(k.kernel());
        assertThat(h.segments()).isNotEmpty();
        assertThat(h.entry()).isNotZero();
        // Debian's vmlinux links its first PT_LOAD at physical 16 MiB (CONFIG_PHYSICAL_START).
        assertThat(h.loadStart()).isEqualTo(0x100_0000L);
        assertThat(k.kernelRelease()).matches("\\d+\\.\\d+\\.\\d+-\\d+-cloud-amd64");
        assertThat(k.kernelSha256()).isEqualTo(GuestCache.sha256(k.kernel()));
    }

    @Test
    void aarch64_image_has_the_arm64_magic_and_sane_header_fields() throws Exception {
        TestKernel k = TestKernels.forArch(Arch.AARCH64);
        byte[] image = Files.readAllBytes(k.kernel());
        Arm64ImageHeader h = Arm64ImageHeader.read(image);

        assertThat(h.magic()).isEqualTo(Arm64ImageHeader.ARM64_IMAGE_MAGIC);
        assertThat(h.flags() & Arm64ImageHeader.FLAG_BE).as("little-endian").isZero();
        assertThat(h.pageSize()).isEqualTo(4096);
        assertThat(h.flags() & Arm64ImageHeader.FLAG_PHYS_PLACEMENT).isNotZero();
        assertThat(h.text_offset() % (2 << 20)).as("text_offset is within a 2 MiB region").isEqualTo(h.text_offset());
        assertThat(h.image_size()).as("image_size covers the file (the rest is BSS)").isGreaterThanOrEqualTo(image.length);
        assertThat(h.image_size()).isLessThan(256L << 20);
        // The EFI stub's PE header: "MZ" at 0 and "PE\0\0" at res5.
        assertThat(new String(image, 0, 2, StandardCharsets.US_ASCII)).isEqualTo("MZ");
        assertThat(new String(image, h.res5(), 4, StandardCharsets.US_ASCII)).isEqualTo("PE\0\0");
        assertThat(k.kernelRelease()).matches("\\d+\\.\\d+\\.\\d+-\\d+-cloud-arm64");
    }

    @Test
    void each_initramfs_has_init_and_a_busybox_for_its_arch() throws Exception {
        for (Arch arch : Arch.values()) {
            TestKernel k = TestKernels.forArch(arch);
            Map<String, CpioEntry> tree = CpioReader.readTree(Files.readAllBytes(k.initramfs()));

            assertThat(tree.get("init").type()).isEqualTo(FileType.REGULAR);
            assertThat(new String(tree.get("init").data(), StandardCharsets.UTF_8)).contains(GuestInitramfs.READY_MARKER);
            KernelFormat busybox = KernelFormat.detect(tree.get("bin/busybox").data());
            assertThat(busybox.kind()).isEqualTo(KernelFormat.Kind.ELF);
            assertThat(busybox.elfMachine()).as(arch + " busybox e_machine")
                .isEqualTo(arch == Arch.X86_64 ? KernelFormat.EM_X86_64 : KernelFormat.EM_AARCH64);
            assertThat(k.initramfsSha256()).isEqualTo(GuestCache.sha256(k.initramfs()));
        }
    }

    @Test
    void system_cpio_lists_init_and_busybox(@TempDir Path dir) throws Exception {
        assumeTrue(HostCommand.onPath("cpio"), "the cpio tool is not installed (apt-get install cpio): cannot cross-check");
        for (Arch arch : Arch.values()) {
            Path raw = dir.resolve(arch + ".cpio");
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(TestKernels.forArch(arch).initramfs())))) {
                Files.write(raw, in.readAllBytes());
            }
            Process p = new ProcessBuilder(List.of("cpio", "-t", "--quiet")).redirectInput(raw.toFile()).start();
            String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(listing.lines()).contains("init", "bin/busybox", "dev/console");
        }
    }
}
