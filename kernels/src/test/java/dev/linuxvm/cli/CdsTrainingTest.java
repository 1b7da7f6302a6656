package dev.linuxvm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.launch.GuestFactory;
import dev.linuxvm.engine.launch.GuestSpec;
import dev.linuxvm.kernels.GuestInitramfs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training run behind the launcher's CDS archive reaches the guest build with its synthetic
 * kernels: were they rejected, the archive would miss the engine (the run's statuses are not
 * judged at build time). That the archive is used is checked at {@code verify} (the kernels POM's
 * linuxvm-launcher-check: the launcher with -Xshare:on).
 */
class CdsTrainingTest {

    @Test
    void theSyntheticKernelsBuildAGuestForEveryArchAndMode(@TempDir Path dir) throws Exception {
        Path vmlinux = Files.write(dir.resolve("vmlinux"), CdsTraining.x86Vmlinux());
        Path image = Files.write(dir.resolve("Image"), CdsTraining.arm64Image());
        byte[] initrd = GuestInitramfs.withOverlay(GuestInitramfs.base(new byte[64]), GuestInitramfs.execOverlay("true"));
        for (GuestSpec spec : new GuestSpec[] {
            new GuestSpec(Arch.X86_64, BootMode.ACPI, vmlinux, initrd, "console=ttyS0", 512, 1),
            new GuestSpec(Arch.AARCH64, BootMode.ACPI, image, initrd, "console=ttyAMA0", 512, 1),
            new GuestSpec(Arch.AARCH64, BootMode.DEVICE_TREE, image, initrd, "console=ttyAMA0", 512, 1)}) {
            GuestImage guest = GuestFactory.build(spec);
            assertThat(guest).as(spec.arch() + " " + spec.mode()).isNotNull();
        }
    }
}
