package dev.linuxvm.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.linuxvm.engine.launch.BackendChoice;
import dev.linuxvm.junit.FileTransferException;
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
 * The data port on the extension's snapshot path: of three guests of one configuration the first
 * boots cold, the second makes the template and the third is its clone, whose QEMU gets the same
 * virtio-serial device and a new socket. Each copies 1 MiB in and out; a copy the guest cannot
 * complete fails with the channel named instead of hanging.
 */
@LinuxVm(arch = GuestArch.X86_64, dataPort = true, backend = BackendChoice.QEMU)
class DataPortSnapshotTest {
    @Test
    void first(LinuxVmHandle vm, @TempDir Path dir) throws IOException {
        roundTrip(vm, dir);
    }

    @Test
    void second(LinuxVmHandle vm, @TempDir Path dir) throws IOException {
        roundTrip(vm, dir);
    }

    @Test
    void third(LinuxVmHandle vm, @TempDir Path dir) throws IOException {
        roundTrip(vm, dir);
    }

    @Test
    void aCopyTheGuestCannotWriteFailsNamingTheDataPort(LinuxVmHandle vm, @TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("small.bin"), new byte[4096]);
        assertThatThrownBy(() -> vm.copyIn(file, "/proc/version/not-a-directory"))
                .isInstanceOf(FileTransferException.class).hasMessageContaining("(data port)");
    }

    private static void roundTrip(LinuxVmHandle vm, Path dir) throws IOException {
        assertThat(vm.transferChannel()).isEqualTo(LinuxVmHandle.TransferChannel.DATA_PORT);
        byte[] bytes = new byte[1 << 20];
        new Random(7).nextBytes(bytes);
        Path original = Files.write(dir.resolve("random.bin"), bytes);
        vm.copyIn(original, "/root/random.bin");
        vm.copyOut("/root/random.bin", dir.resolve("back.bin"));
        assertThat(dir.resolve("back.bin")).hasSameBinaryContentAs(original);
    }
}
