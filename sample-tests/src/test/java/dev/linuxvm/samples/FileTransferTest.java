package dev.linuxvm.samples;

import static dev.linuxvm.junit.LinuxVmAssertions.assertThat;

import dev.linuxvm.junit.LinuxVm;
import dev.linuxvm.junit.LinuxVmHandle;
import dev.linuxvm.junit.SerialConsole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * copyIn / copyOut round trips over the serial console. The size is
 * {@code -Dlinuxvm.samples.transferMiB} (default 2, to keep CI short under TCG); the rates go to
 * the test's standard output.
 */
@LinuxVm
class FileTransferTest {
    private static final int MIB = Integer.getInteger("linuxvm.samples.transferMiB", 2);

    // tag::copy-in-out[]
    @Test
    void aBinaryFileRoundTripsBitExact(LinuxVmHandle vm, SerialConsole console, @TempDir Path dir) throws IOException {
        Path original = dir.resolve("random.bin");
        byte[] bytes = new byte[MIB << 20];
        new Random(42).nextBytes(bytes); // every byte value, CR, LF, ^C, ^D, NUL included
        Files.write(original, bytes);

        long in = System.nanoTime();
        vm.copyIn(original, "/tmp/random.bin"); // sha256 checked on both ends
        long out = System.nanoTime();
        vm.copyOut("/tmp/random.bin", dir.resolve("back.bin"));
        long end = System.nanoTime();

        assertThat(console.exec("cmp /tmp/random.bin /tmp/random.bin && stat -c %s /tmp/random.bin"))
                .succeeded().hasOutput(Integer.toString(bytes.length));
        org.assertj.core.api.Assertions.assertThat(dir.resolve("back.bin")).hasSameBinaryContentAs(original);
        // end::copy-in-out[]
        System.out.printf("copyIn  %d MiB: %.2f s, %.3f MB/s%n", MIB, (out - in) / 1e9, bytes.length / ((out - in) / 1e3));
        System.out.printf("copyOut %d MiB: %.2f s, %.3f MB/s%n", MIB, (end - out) / 1e9, bytes.length / ((end - out) / 1e3));
    }
}
