package dev.linuxvm.junit;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes the console's expect machinery with arbitrary guest bytes (issue #11): junk fed through
 * {@link ConsoleBuffer#onOutput} in random chunks (invalid and cut UTF-8, NULs, ANSI escapes,
 * CR-only lines, fail-fast lines) must never hide a marker printed after it, and a marker that
 * never comes ends in {@link ConsoleException.Timeout}; nothing else is thrown, nothing hangs.
 */
class SerialConsoleFuzzTest {
    /** Pieces of console junk; the random bytes between them do the rest. */
    private static final List<byte[]> FRAGMENTS = List.of(
            bytes(0xC3, 0x28), bytes(0xE2, 0x82), bytes(0xF0, 0x9F, 0x98), bytes(0xFF), bytes(0x80), bytes(0xC0, 0xAF),
            bytes(0xED, 0xA0, 0x80), bytes(0), bytes(0, 0, 0), ascii("\u001b[2J\u001b[H"), ascii("\u001b]0;title\u0007"),
            ascii("\u001b[31;1m"), ascii("\r"), ascii("\r\r"), ascii("\n"), ascii("\r\n"), ascii("~ # "),
            "é😀✓".getBytes(StandardCharsets.UTF_8), ascii("[    1.000000] Kernel panic - not syncing: x\r\n"),
            ascii("BUG: x\r"), ascii("__LVM_"), ascii("done"));

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Provide
    Arbitrary<byte[]> junk() {
        return junkOf(FRAGMENTS);
    }

    /**
     * Junk as a command's output: its kernel line starts a line of its own. A kernel message
     * inside a line is not the command's output and exec leaves it out (ExecTest covers that).
     */
    @Provide
    Arbitrary<byte[]> output() {
        return junkOf(FRAGMENTS.stream()
                .map(f -> new String(f, StandardCharsets.ISO_8859_1).startsWith("[    1.000000]") ? ascii("\n" + new String(f,
                        StandardCharsets.ISO_8859_1)) : f)
                .toList());
    }

    private static Arbitrary<byte[]> junkOf(List<byte[]> fragments) {
        Arbitrary<byte[]> piece = Arbitraries.oneOf(Arbitraries.of(fragments),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40));
        return piece.list().ofMaxSize(60).map(pieces -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            pieces.forEach(out::writeBytes);
            return out.toByteArray();
        });
    }

    /** A console over a fresh buffer (no log file) with no executor scaling. */
    private static SerialConsole console(ConsoleBuffer buffer, OutputStream input) {
        return new SerialConsole(buffer, new SerialConsole.Wiring(input, () -> "running", null, null,
                TimeoutScale.none()));
    }

    /** Feeds {@code data} to the buffer in chunks of the given sizes (cycled), as a serial port would. */
    private static void feed(ConsoleBuffer buffer, byte[] data, List<Integer> chunks) {
        int at = 0;
        for (int i = 0; at < data.length; i++) {
            int n = chunks.isEmpty() ? data.length : Math.min(data.length - at, chunks.get(i % chunks.size()));
            buffer.onOutput(data, at, n);
            at += n;
        }
    }

    @Provide
    Arbitrary<List<Integer>> chunks() {
        return Arbitraries.integers().between(1, 64).list().ofMaxSize(8);
    }

    /** 0-9: the marker never comes; 10-19: it comes from another thread; else: before the wait. */
    @Provide
    Arbitrary<Integer> modes() {
        return Arbitraries.integers().between(0, 99).withDistribution(RandomDistribution.uniform()).withoutEdgeCases();
    }

    @Provide
    Arbitrary<Integer> capacities() {
        return Arbitraries.of(1024, 4096, ConsoleBuffer.DEFAULT_CAPACITY);
    }

    @Property(tries = Fuzz.TRIES)
    void expect_finds_the_marker_after_any_junk_or_times_out_cleanly(@ForAll("junk") byte[] junk,
            @ForAll("chunks") List<Integer> chunks, @ForAll("capacities") int capacity,
            @ForAll("modes") int mode, @ForAll @IntRange(min = 0, max = 999_999) int id)
            throws Throwable {
        String marker = "done✓" + id; // multi-byte, so chunking can cut it too
        boolean failFast = mode % 2 == 0; // the default markers, or none
        String outcome = Fuzz.within(() -> {
            ConsoleBuffer buffer = new ConsoleBuffer(capacity, null);
            SerialConsole c = console(buffer, OutputStream.nullOutputStream());
            if (!failFast) {
                c = c.failFastOn();
            }
            feed(buffer, junk, chunks);
            byte[] tail = marker.getBytes(StandardCharsets.UTF_8);
            try {
                if (mode < 10) { // the marker never comes
                    c.within(ofMillis(1)).expect(marker);
                    throw new AssertionError("found " + marker + " that was never printed");
                } else if (mode < 20) { // it comes from the guest's thread while the test waits
                    CompletableFuture.runAsync(() -> feed(buffer, tail, chunks),
                            CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));
                } else {
                    feed(buffer, tail, chunks);
                }
                Match m = c.within(ofSeconds(5)).expect(marker);
                assertThat(m.text()).isEqualTo(marker);
                assertThat(c.transcript()).endsWith(marker);
                return "found";
            } catch (ConsoleException.Timeout e) {
                assertThat(mode).as("timed out although the marker was printed:\n%s", e.getMessage()).isLessThan(10);
                assertThat(e.getMessage()).contains("Timed out waiting for \"" + marker + "\"");
                return "timed out";
            } catch (ConsoleException.GuestFailure e) {
                assertThat(failFast).as("fail-fast with no markers: %s", e.getMessage()).isTrue();
                assertThat(e.line()).contains(e.marker());
                return "fail-fast line in the junk";
            }
        });
        Statistics.label("outcome").collect(outcome);
    }

    /**
     * A shell that answers {@link SerialConsole#exec}: it echoes the command line, prints junk,
     * the begin marker, the output and the end marker with the status, as busybox sh would.
     */
    private static final class FakeShell extends OutputStream {
        private static final Pattern NONCE = Pattern.compile("printf '__LVM_%s_B__\\\\n' ([0-9a-f]+);");
        ConsoleBuffer buffer;
        byte[] junk;
        byte[] output;
        int status;
        List<Integer> chunks;

        @Override
        public void write(int b) {
            throw new UnsupportedOperationException("exec sends whole lines");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            String line = new String(b, off, len, StandardCharsets.UTF_8);
            Matcher m = NONCE.matcher(line);
            assertThat(m.find()).as("exec line %s", line).isTrue();
            String nonce = m.group(1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(line.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)); // the terminal's echo
            out.writeBytes(junk);
            out.writeBytes(ascii("\r\n__LVM_" + nonce + "_B__\r\n"));
            out.writeBytes(output);
            out.writeBytes(ascii("\r\n__LVM_" + nonce + "_E_" + status + "__\r\n~ # "));
            feed(buffer, out.toByteArray(), chunks);
        }
    }

    @Property(tries = Fuzz.TRIES / 5)
    void exec_returns_the_output_between_its_markers_after_any_junk(@ForAll("junk") byte[] junk,
            @ForAll("output") byte[] output, @ForAll @IntRange(min = 0, max = 255) int status,
            @ForAll("chunks") List<Integer> chunks, @ForAll("capacities") int capacity) throws Throwable {
        String command = "echo 'it''s' | cat";
        // The window keeps the last `capacity` chars: a response longer than that may lose its begin
        // marker before exec reads it, and then exec may only time out.
        boolean fits = 2 * command.length() + junk.length + output.length + 200 <= capacity;
        String outcome = Fuzz.within(() -> {
            FakeShell shell = new FakeShell();
            shell.buffer = new ConsoleBuffer(capacity, null);
            shell.junk = junk;
            shell.output = output;
            shell.status = status;
            shell.chunks = chunks;
            try {
                ExecResult result = console(shell.buffer, shell).failFastOn().within(fits ? ofSeconds(5) : ofMillis(20))
                        .exec(command);
                assertThat(result.exitStatus()).isEqualTo(status);
                if (fits) {
                    assertThat(result.output()).isEqualTo(new String(output, StandardCharsets.UTF_8).replace("\r", ""));
                }
                return "result";
            } catch (ConsoleException.Timeout e) {
                assertThat(fits).as("timed out although the window held the response:\n%s", e.getMessage()).isFalse();
                return "timed out: the window dropped the begin marker";
            } catch (ConsoleException e) {
                assertThat(fits).as("output said to outgrow a window that held it:\n%s", e.getMessage()).isFalse();
                assertThat(e.getMessage()).contains("outgrew the console window");
                return "output outgrew the window: said so";
            }
        });
        Statistics.label("outcome").collect(outcome);
    }
}
