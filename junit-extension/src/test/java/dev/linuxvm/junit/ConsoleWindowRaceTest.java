package dev.linuxvm.junit;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11, "nothing is lost": a marker in the middle of a flood is found by a wait that was
 * already in progress, however far the flood outruns the window. Found by this test: the writer
 * re-took the buffer's lock before the woken waiter could, appended chunk after chunk and
 * trimmed the marker away unseen; the wait then timed out on a line the guest had printed.
 */
class ConsoleWindowRaceTest {
    static final int CAPACITY = 1024; // smallest window: the flood outruns it 400 times
    static final int LINES = 20_000;

    @TempDir
    Path dir;

    @RepeatedTest(5)
    void a_wait_in_progress_finds_a_marker_in_the_middle_of_a_flood_far_larger_than_the_window() throws Exception {
        Path log = dir.resolve("console.log");
        ConsoleBuffer buffer = new ConsoleBuffer(CAPACITY, log);
        SerialConsole console = new SerialConsole(buffer, new SerialConsole.Wiring(
                java.io.OutputStream.nullOutputStream(), () -> "running", dir, log, TimeoutScale.none()));
        CompletableFuture<Void> guest = CompletableFuture.runAsync(() -> {
            while (buffer.searchesInProgress() == 0) {
                Thread.onSpinWait(); // the wait is registered: everything from here on is its to see
            }
            for (int i = 0; i < LINES; i++) {
                byte[] b = (i == LINES / 2 ? "the-marker\r\n" : "flood line " + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
                buffer.onOutput(b, 0, b.length); // one line a write: the writer takes the lock 20,000 times
            }
        });
        try {
            assertThat(console.within(ofSeconds(20)).expect("the-marker").text()).isEqualTo("the-marker");
        } finally {
            guest.get();
            buffer.closeLog();
        }
        assertThat(console.text()).doesNotContain("the-marker"); // long trimmed from the window by now
    }
}
