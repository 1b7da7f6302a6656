package dev.linuxvm.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.linuxvm.engine.launch.BackendChoice;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.junit.BootMatrix;
import dev.linuxvm.junit.GuestArch;
import dev.linuxvm.junit.LinuxVm;
import dev.linuxvm.junit.LinuxVmHandle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * copyIn / copyOut over the data port (issue #10): 20 MiB of random bytes round-trip bit-exact
 * on every way the guest finds the port (x86 DSDT, arm64 DSDT, arm64 device tree).
 * {@code -Dlinuxvm.samples.dataPortMiB} changes the size. The rates go to the test's standard
 * output against the goal of 1 MB/s each way under TCG: figures, not assertions, since a
 * loaded build machine moves them (1.4-2.7 MB/s in and 6.5-6.8 out with a whole CI beside it,
 * 3.6-5.8 and 15-17 on a quieter one).
 */
@LinuxVm(dataPort = true, backend = BackendChoice.QEMU)
@BootMatrix(arches = GuestArch.X86_64)
@BootMatrix(arches = GuestArch.AARCH64, modes = {BootMode.ACPI, BootMode.DEVICE_TREE})
class DataPortTransferTest {
    private static final int MIB = Integer.getInteger("linuxvm.samples.dataPortMiB", 20);

    // tag::dataPort[]
    @Test
    void twentyMegabytesRoundTripBitExactOverTheDataPort(LinuxVmHandle vm, @TempDir Path dir) throws IOException {
        assertThat(vm.transferChannel()).isEqualTo(LinuxVmHandle.TransferChannel.DATA_PORT);
        Path original = dir.resolve("random.bin");
        byte[] bytes = new byte[MIB << 20];
        new Random(10).nextBytes(bytes);
        Files.write(original, bytes);

        long in = System.nanoTime();
        vm.copyIn(original, "/tmp/random.bin"); // sha256 checked on both ends
        long out = System.nanoTime();
        vm.copyOut("/tmp/random.bin", dir.resolve("back.bin"));
        long end = System.nanoTime();

        assertThat(dir.resolve("back.bin")).hasSameBinaryContentAs(original);
        // end::dataPort[]
        double inRate = bytes.length / ((out - in) / 1e9);
        double outRate = bytes.length / ((end - out) / 1e9);
        System.out.printf("%s data port copyIn  %d MiB: %.2f s, %.2f MB/s (with insmod and sha256sum)%n", vm.spec().matrixName(), MIB, (out - in) / 1e9, inRate / 1e6);
        System.out.printf("%s data port copyOut %d MiB: %.2f s, %.2f MB/s (with sha256sum)%n", vm.spec().matrixName(), MIB, (end - out) / 1e9, outRate / 1e6);
    }
}
