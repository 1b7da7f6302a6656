package dev.linuxvm.junit;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11, "nothing is lost": a guest that prints 200 MB to its console. The in-memory window
 * stays bounded, {@code console.log} gets every line in order, and an {@code expect} that was
 * already waiting when the flood began still finds the marker printed after it.
 *
 * <p>The flood is fed through {@link ConsoleBuffer#onOutput} from another thread in 8 KiB
 * chunks, the size QEMU's serial pump reads, cut regardless of line ends: the same path the
 * executors take, without a guest (TCG prints a few MB a minute, far too slow for 200 MB; the
 * real-guest check with a smaller flood is in sample-tests).
 */
class ConsoleFloodTest {
    /** One line: "flood 00000000 " + filler + CR LF = 100 bytes, so 2,000,000 lines are 200 MB. */
    static final int LINE_BYTES = 100;
    static final int LINES = 2_000_000;
    static final int CHUNK = 8192; // QemuVm's serial read buffer
    static final String MARKER = "FLOOD-DONE marker";
    /** "[    1.234567] ": the timestamp ConsoleBuffer puts before each line of the log. */
    static final Pattern STAMP = Pattern.compile("^\\[ *\\d+\\.\\d{6}\\] ");
    /**
     * Heap the console may keep after the flood: the window holds at most
     * {@link ConsoleBuffer#DEFAULT_CAPACITY} chars (4 Mi), one byte each for ASCII (Latin-1
     * strings), two for UTF-16, times two for a StringBuilder's growth slack: 16 MiB, plus 16 MiB
     * for what a full GC leaves in its regions. A console that kept the flood would hold 200 MB.
     */
    static final long HEAP_BOUND = 32L << 20;

    @TempDir
    Path dir;

    @Test
    void two_hundred_megabytes_of_console_keep_the_heap_bounded_lose_no_log_line_and_the_marker_is_found()
            throws Exception {
        Path log = dir.resolve("console.log");
        ConsoleBuffer buffer = new ConsoleBuffer(ConsoleBuffer.DEFAULT_CAPACITY, log);
        SerialConsole console = new SerialConsole(buffer, new SerialConsole.Wiring(
                java.io.OutputStream.nullOutputStream(), () -> "running", dir, log, TimeoutScale.none()));
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();

        long t0 = System.nanoTime();
        CompletableFuture<Void> guest = CompletableFuture.runAsync(() -> flood(buffer));
        Match found = console.within(ofSeconds(300)).expect(MARKER); // waiting before the flood starts
        guest.get();
        long floodMs = (System.nanoTime() - t0) / 1_000_000;
        memory.gc();
        long heapAfter = memory.getHeapMemoryUsage().getUsed();
        buffer.closeLog();

        long[] counted = countLog(log);
        System.out.printf(Locale.ROOT, "console flood: %,d bytes in %,d ms; heap used %,d KiB before, %,d KiB after;"
                        + " console.log %,d bytes, %,d flood lines + marker%n", (long) LINE_BYTES * LINES, floodMs,
                heapBefore >> 10, heapAfter >> 10, Files.size(log), counted[0]);

        assertThat(found.text()).isEqualTo(MARKER);
        assertThat(console.tail(2)).containsExactly(line(LINES - 1).strip(), MARKER);
        assertThat(heapAfter - heapBefore).as("heap growth over a 200 MB flood (before %d, after %d)", heapBefore, heapAfter)
                .isLessThan(HEAP_BOUND);
        assertThat(buffer.snapshot().length()).isLessThanOrEqualTo(ConsoleBuffer.DEFAULT_CAPACITY);
        assertThat(counted[0]).as("flood lines in console.log, in order").isEqualTo(LINES);
        // every byte but the CRs (the log stores lines without them) and the timestamps it adds
        assertThat(counted[1]).as("flood bytes in console.log").isEqualTo((long) (LINE_BYTES - 1) * LINES);
    }

    /** Line {@code i} of the flood, CR LF included. */
    static String line(int i) {
        String head = String.format(Locale.ROOT, "flood %08d ", i);
        return head + "x".repeat(LINE_BYTES - head.length() - 2) + "\r\n";
    }

    private static void flood(ConsoleBuffer buffer) {
        byte[] chunk = new byte[CHUNK];
        int fill = 0;
        for (int i = 0; i <= LINES; i++) {
            byte[] b = (i < LINES ? line(i) : MARKER + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int off = 0; off < b.length; ) {
                int n = Math.min(b.length - off, CHUNK - fill);
                System.arraycopy(b, off, chunk, fill, n);
                fill += n;
                off += n;
                if (fill == CHUNK) {
                    buffer.onOutput(chunk, 0, fill);
                    fill = 0;
                }
            }
        }
        buffer.onOutput(chunk, 0, fill);
    }

    /** {flood lines found in order, their bytes without timestamp and LF}; fails at the first wrong line. */
    private static long[] countLog(Path log) throws Exception {
        long lines = 0;
        long bytes = 0;
        try (BufferedReader r = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            String l;
            while ((l = r.readLine()) != null) {
                var m = STAMP.matcher(l);
                assertThat(m.find()).as("log line %d has a timestamp: %s", lines, l).isTrue();
                String text = l.substring(m.end());
                if (text.equals(MARKER)) {
                    break;
                }
                String expected = line((int) lines);
                assertThat(text).as("log line %d", lines).isEqualTo(expected.substring(0, expected.length() - 2));
                lines++;
                bytes += text.length() + 1; // and its LF
            }
            assertThat(r.readLine()).as("nothing after the marker").isNull();
        }
        return new long[] {lines, bytes};
    }
}
