package dev.linuxvm.engine.backend.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A chardev's FIFOs as {@link QemuVm.Pipes} opens them, with this test in QEMU's place. */
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

    /** QEMU's side: its pipe chardev holds both FIFOs open for reading and writing. */
    private record Qemu(FileChannel out, FileChannel in) implements AutoCloseable {
        static Qemu open(Path base) throws IOException {
            return new Qemu(FileChannel.open(QemuVm.Pipes.fifo(base, ".out"), StandardOpenOption.READ, StandardOpenOption.WRITE),
                    FileChannel.open(QemuVm.Pipes.fifo(base, ".in"), StandardOpenOption.READ, StandardOpenOption.WRITE));
        }

        /** QEMU exits. */
        @Override
        public void close() throws IOException {
            out.close();
            in.close();
        }
    }

    /** A read on a thread of its own; what it read, or the exception that ended it, completes {@code result}. */
    private record Read(Thread thread, CompletableFuture<Object> result) {
    }

    /** A read of {@code channel}, returned once its thread waits in the read(2) itself. */
    private static Read blockedRead(ReadableByteChannel channel) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(channel.read(ByteBuffer.allocate(64)));
            } catch (IOException e) {
                result.complete(e);
            }
        }, "pipes-test-reader");
        t.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> Arrays.stream(t.getStackTrace())
                .anyMatch(f -> f.getMethodName().equals("read0")));
        return new Read(t, result);
    }

    @Test
    void carries_both_ways_and_ends_when_qemu_closes_its_ends() throws Exception {
        try (Qemu qemu = Qemu.open(base); QemuVm.Pipes serial = QemuVm.Pipes.open(base)) {
            qemu.out().write(ByteBuffer.wrap("login: ".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer got = ByteBuffer.allocate(64);
            serial.fromQemu().read(got);
            assertThat(new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII)).isEqualTo("login: ");

            serial.toQemu().write(ByteBuffer.wrap("root\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer typed = ByteBuffer.allocate(64);
            qemu.in().read(typed);
            assertThat(new String(typed.array(), 0, typed.position(), StandardCharsets.US_ASCII)).isEqualTo("root\n");

            qemu.close();
            assertThat(serial.fromQemu().read(ByteBuffer.allocate(64))).as("the guest's output after QEMU's exit").isEqualTo(-1);
        }
    }

    @Test
    void opens_without_blocking_where_qemu_is_already_gone_and_reads_eof() throws Exception {
        try (QemuVm.Pipes serial = QemuVm.Pipes.open(base)) {
            assertThat(serial.fromQemu().read(ByteBuffer.allocate(64))).isEqualTo(-1);
        }
    }

    @Test
    void as_one_channel_an_interrupted_read_closes_both_directions() throws Exception {
        try (Qemu qemu = Qemu.open(base); QemuVm.Pipes pipes = QemuVm.Pipes.open(base)) {
            ByteChannel port = pipes.asByteChannel();
            Read read = blockedRead(port);
            read.thread().interrupt(); // what DataPortFiles' pump does to a copy that never ends
            assertThat(read.result().get(5, TimeUnit.SECONDS)).isInstanceOf(ClosedByInterruptException.class);
            assertThat(port.isOpen()).isFalse();
            assertThatThrownBy(() -> port.write(ByteBuffer.wrap(new byte[] {1})))
                    .as("a later copy's write").isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void close_ends_a_read_that_waits_for_the_guest() throws Exception {
        try (Qemu qemu = Qemu.open(base)) {
            QemuVm.Pipes serial = QemuVm.Pipes.open(base);
            Read read = blockedRead(serial.fromQemu());
            serial.close();
            assertThat(read.result().get(5, TimeUnit.SECONDS)).isInstanceOf(ClosedChannelException.class);
        }
    }
}
