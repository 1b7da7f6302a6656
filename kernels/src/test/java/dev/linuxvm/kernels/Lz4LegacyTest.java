package dev.linuxvm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Lz4LegacyTest {

    /** "abcabcabcabcX": literals "abc", a self-overlapping match, then a literal-only last sequence. */
    private static final byte[] GOLDEN_FRAME = {
        0x02, 0x21, 0x4c, 0x18,     // legacy frame magic 0x184C2102
        0x08, 0x00, 0x00, 0x00,     // block: 8 compressed bytes follow
        0x35,                       // token: 3 literals, match length 5 + 4 = 9
        'a', 'b', 'c',              // literals
        0x03, 0x00,                 // match offset 3: the overlapping copy repeats "abc" three times
        0x10,                       // token: 1 literal, no match (the last sequence)
        'X',                        // literal
    };

    @Test
    void decodes_golden_frame_with_overlapping_match() {
        assertThat(new String(Lz4Legacy.decompress(GOLDEN_FRAME), StandardCharsets.US_ASCII)).isEqualTo("abcabcabcabcX");
    }

    @Test
    void checks_the_kernels_appended_size_word() {
        byte[] frame = Arrays.copyOf(GOLDEN_FRAME, GOLDEN_FRAME.length + 4);
        frame[GOLDEN_FRAME.length] = 13; // size_append: 13 decoded bytes, little-endian
        assertThat(Lz4Legacy.decompress(frame)).hasSize(13);
        frame[GOLDEN_FRAME.length] = 14;
        assertThatThrownBy(() -> Lz4Legacy.decompress(frame)).isInstanceOf(KernelFormatException.class)
            .hasMessageContaining("trailer says 14");
    }

    @Test
    void rejects_missing_magic() {
        assertThatThrownBy(() -> Lz4Legacy.decompress(new byte[] {1, 2, 3, 4, 5}))
            .isInstanceOf(KernelFormatException.class).hasMessageContaining("magic 02 21 4C 18");
    }

    @Test
    void rejects_match_offset_before_the_block() {
        byte[] frame = {
            0x02, 0x21, 0x4c, 0x18,     // magic
            0x05, 0x00, 0x00, 0x00,     // 5-byte block
            0x10, 'a',                  // 1 literal, match length 4
            0x09, 0x00,                 // offset 9, but only 1 byte decoded so far
            0x00,                       // (never reached)
        };
        assertThatThrownBy(() -> Lz4Legacy.decompress(frame))
            .isInstanceOf(KernelFormatException.class).hasMessageContaining("points before the start");
    }

    @Test
    void rejects_block_longer_than_input() {
        byte[] frame = Arrays.copyOf(GOLDEN_FRAME, GOLDEN_FRAME.length);
        frame[4] = 100;
        frame = Arrays.copyOf(frame, GOLDEN_FRAME.length + 8); // not the last 4 bytes: read as a block
        byte[] f = frame;
        assertThatThrownBy(() -> Lz4Legacy.decompress(f))
            .isInstanceOf(KernelFormatException.class).hasMessageContaining("block of 100 bytes");
    }

    @Test
    void matches_the_lz4_tool_on_generated_data(@TempDir Path dir) throws Exception {
        assumeTrue(HostCommand.onPath("lz4"), "the lz4 tool is not installed (apt-get install lz4): cannot cross-check");
        byte[] data = new byte[20 << 20]; // > 8 MiB, so several legacy blocks
        Random r = new Random(42);
        for (int i = 0; i < data.length; ) {
            if (r.nextInt(4) == 0 && i > 1000) {
                int len = Math.min(data.length - i, 4 + r.nextInt(400));
                int from = i - 1 - r.nextInt(Math.min(i - 1, 60000));
                for (int j = 0; j < len; j++) {
                    data[i + j] = data[from + j];
                }
                i += len;
            } else {
                data[i++] = (byte) r.nextInt(16);
            }
        }
        Path in = dir.resolve("data");
        Files.write(in, data);
        Path out = dir.resolve("data.lz4");
        Process p = new ProcessBuilder(List.of("lz4", "-l", "-9", "-f", "-q", in.toString(), out.toString()))
            .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("lz4 output: %s", log).isZero();

        assertThat(Lz4Legacy.decompress(Files.readAllBytes(out))).isEqualTo(data);
    }
}
