package dev.linuxvm.kernels.engine;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.boot.arm64.Arm64Layout;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.launch.DefaultCmdline;
import dev.linuxvm.engine.launch.GuestFactory;
import dev.linuxvm.engine.launch.GuestSpec;
import dev.linuxvm.engine.loader.Arm64Image;
import dev.linuxvm.engine.loader.ElfKernel;
import dev.linuxvm.engine.loader.ElfVmlinuxLoader;
import dev.linuxvm.kernels.TestKernel;
import dev.linuxvm.kernels.TestKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's loaders and builders on the provisioned Debian kernels (the real thing, always
 * there in this module): where the vmlinux segments and the arm64 Image land, where the initrd
 * goes, and that the DTB of each arm64 mode decompiles with dtc.
 */
class RealKernelLayoutTest {
    static final long MIB = 1 << 20;

    @Test
    void the_debian_vmlinux_loads_its_segments_in_order_from_16_MiB_with_the_file_bytes() throws Exception {
        Path vmlinux = TestKernels.forArch(Arch.X86_64).kernel();
        ElfKernel kernel = ElfVmlinuxLoader.load(vmlinux);

        assertThat(kernel.entry()).isEqualTo(0x100_0000L); // startup_64, p_paddr of .text
        assertThat(kernel.loadStart()).isEqualTo(0x100_0000L);
        assertThat(kernel.segments()).hasSizeGreaterThanOrEqualTo(3);
        byte[] fromFile = new byte[64];
        try (RandomAccessFile raf = new RandomAccessFile(vmlinux.toFile(), "r")) {
            byte[] ehdr = new byte[64 + 56];
            raf.readFully(ehdr);
            long textOffset = ByteBuffer.wrap(ehdr).order(ByteOrder.LITTLE_ENDIAN).getLong(64 + 8); // phdr[0].p_offset
            raf.seek(textOffset);
            raf.readFully(fromFile);
        }
        assertThat(Arrays.copyOf(kernel.segments().get(0).data(), 64)).isEqualTo(fromFile);
        for (int i = 1; i < kernel.segments().size(); i++) {
            assertThat(kernel.segments().get(i).address()).isGreaterThanOrEqualTo(kernel.segments().get(i - 1).end());
        }
        kernel.requireInside(0x10_0000, 256L * MIB); // fits a 256 MiB guest
    }

    @Test
    void an_x86_guest_puts_the_initrd_at_the_top_of_ram_above_the_kernel() throws Exception {
        TestKernel k = TestKernels.forArch(Arch.X86_64);
        GuestImage image = GuestFactory.build(new GuestSpec(Arch.X86_64, BootMode.ACPI, k.kernel(),
                Files.readAllBytes(k.initramfs()), DefaultCmdline.forArch(Arch.X86_64, false), 512, 1));

        assertThat(image.bootState().entryPoint()).isEqualTo(0x100_0000L);
        MemoryRegion initrd = region(image, "initrd");
        // the highest page-aligned start at which it still fits below the end of RAM
        assertThat(initrd.address() % 4096).isZero();
        assertThat(initrd.end()).isLessThanOrEqualTo(512 * MIB).isGreaterThan(512 * MIB - 4096);
        long kernelEnd = image.regions().stream().filter(r -> r.name().startsWith("kernel"))
                .mapToLong(MemoryRegion::end).max().orElseThrow();
        assertThat(kernelEnd).isLessThan(initrd.address());
    }

    @Test
    void an_arm64_guest_places_the_image_at_a_2_MiB_base_and_its_dtb_decompiles_in_both_modes(@TempDir Path tmp)
            throws Exception {
        TestKernel k = TestKernels.forArch(Arch.AARCH64);
        Arm64Image kernel = Arm64Image.load(k.kernel());
        for (BootMode mode : BootMode.values()) {
            GuestImage g = GuestFactory.build(new GuestSpec(Arch.AARCH64, mode, k.kernel(),
                    Files.readAllBytes(k.initramfs()), DefaultCmdline.forArch(Arch.AARCH64, false), 512, 2));
            MemoryRegion kr = region(g, "kernel");
            assertThat(kr.address()).isEqualTo(Arm64Layout.KERNEL_BASE + kernel.textOffset());
            assertThat(kr.size()).isEqualTo(kernel.imageSize());
            assertThat(region(g, "initrd").address()).isGreaterThanOrEqualTo(kr.end());
            Path dtb = tmp.resolve(mode + ".dtb");
            Files.write(dtb, g.artifacts().get("guest.dtb"));
            Process dtc = new ProcessBuilder(List.of("dtc", "-I", "dtb", "-O", "dts", dtb.toString()))
                    .redirectErrorStream(true).start();
            String dts = new String(dtc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(dtc.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(dtc.exitValue()).as("dtc on the %s DTB: %s", mode, dts).isZero();
            assertThat(dts).contains("chosen");
        }
    }

    private static MemoryRegion region(GuestImage image, String name) {
        return image.regions().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }
}
