package dev.linuxvm.engine.backend.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The serial port's FIFOs as {@link QemuVm.Pipes} opens them, with this test in QEMU's place. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PipesTest {
    @TempDir
    Path dir;
    Path base;

    @BeforeEach
    void fifos() throws Exception {
        base = dir.resolve("serial");
        Process mkfifo = new ProcessBuilder("mkfifo", base + ".in", base + ".out").inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
    }

    /** QEMU's pipe chardev holds both FIFOs open for reading and writing. */
    private FileChannel qemuEnd(String suffix) throws IOException {
        return FileChannel.open(QemuVm.Pipes.fifo(base, suffix), StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @Test
    void carries_both_ways_and_ends_when_qemu_closes_its_ends() throws Exception {
        FileChannel qemuOut = qemuEnd(".out");
        FileChannel qemuIn = qemuEnd(".in");
        QemuVm.Pipes serial = QemuVm.Pipes.open(base);
        try {
            qemuOut.write(ByteBuffer.wrap("login: ".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer got = ByteBuffer.allocate(64);
            serial.fromQemu().read(got);
            assertThat(new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII)).isEqualTo("login: ");

            serial.toQemu().write(ByteBuffer.wrap("root\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer typed = ByteBuffer.allocate(64);
            qemuIn.read(typed);
            assertThat(new String(typed.array(), 0, typed.position(), StandardCharsets.US_ASCII)).isEqualTo("root\n");

            qemuOut.close(); // QEMU exits
            qemuIn.close();
            assertThat(serial.fromQemu().read(ByteBuffer.allocate(64))).as("the guest's output after QEMU's exit").isEqualTo(-1);
        } finally {
            serial.close();
        }
    }

    @Test
    void opens_without_blocking_where_qemu_is_already_gone_and_reads_eof() throws Exception {
        QemuVm.Pipes serial = QemuVm.Pipes.open(base);
        try {
            assertThat(serial.fromQemu().read(ByteBuffer.allocate(64))).isEqualTo(-1);
        } finally {
            serial.close();
        }
    }

    @Test
    void as_one_channel_an_interrupted_read_closes_both_directions() throws Exception {
        FileChannel qemuOut = qemuEnd(".out");
        FileChannel qemuIn = qemuEnd(".in");
        java.nio.channels.ByteChannel port = QemuVm.Pipes.open(base).asByteChannel();
        try {
            CompletableFuture<Throwable> reader = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    port.read(ByteBuffer.allocate(64));
                    reader.complete(null);
                } catch (IOException e) {
                    reader.complete(e);
                }
            });
            t.start();
            Thread.sleep(200); // the read is waiting for the guest now
            t.interrupt(); // what DataPortFiles' pump does to a copy that never ends
            assertThat(reader.get(5, TimeUnit.SECONDS)).isInstanceOf(java.nio.channels.ClosedByInterruptException.class);
            assertThat(port.isOpen()).isFalse();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> port.write(ByteBuffer.wrap(new byte[] {1})))
                    .as("a later copy's write").isInstanceOf(java.nio.channels.ClosedChannelException.class);
        } finally {
            port.close();
            qemuOut.close();
            qemuIn.close();
        }
    }

    @Test
    void close_ends_a_read_that_waits_for_the_guest() throws Exception {
        FileChannel qemuOut = qemuEnd(".out");
        FileChannel qemuIn = qemuEnd(".in");
        QemuVm.Pipes serial = QemuVm.Pipes.open(base);
        try {
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try {
                    serial.fromQemu().read(ByteBuffer.allocate(64));
                } catch (IOException e) {
                    // closed under it: the end this test waits for
                }
            });
            Thread.sleep(Duration.ofMillis(200).toMillis()); // the read is waiting for the guest now
            assertThat(reader).isNotDone();
            serial.close();
            reader.get(5, TimeUnit.SECONDS);
        } finally {
            qemuOut.close();
            qemuIn.close();
        }
    }
}
