package dev.linuxvm.kernels;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Decompresses the LZ4 "legacy frame" ({@code lz4 -l}), which is how Linux compresses a
 * bzImage payload with {@code CONFIG_KERNEL_LZ4}.
 *
 * <p>Legacy frame (lz4 {@code doc/lz4_Frame_format.md}, "Legacy frame"): magic 0x184C2102
 * (little-endian), then blocks, each a 4-byte little-endian compressed size followed by that
 * many bytes of LZ4 block data decoding to at most 8 MiB. A new magic may start another frame.
 * The kernel build appends the uncompressed length as 4 bytes little-endian after the last
 * block ({@code scripts/Makefile.lib}, {@code size_append}); when the input ends right after
 * such a word it is checked against the output instead of being read as a block size.
 *
 * <p>Block format: lz4 {@code doc/lz4_Block_format.md}.
 */
public final class Lz4Legacy {
    /** Frame magic, little-endian on the wire (02 21 4C 18). */
    public static final int MAGIC = 0x184C2102;
    /** Largest decoded size of one legacy block. */
    public static final int MAX_BLOCK_SIZE = 8 << 20;

    private static final int MIN_MATCH = 4;
    private static final int RUN_MASK = 0xF;

    private Lz4Legacy() {
    }

    /** Decompresses a whole legacy-frame stream (which must start with {@link #MAGIC}). */
    public static byte[] decompress(byte[] in) {
        ByteBuffer buf = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.remaining() < 4 || buf.getInt() != MAGIC) {
            throw new KernelFormatException("not an LZ4 legacy frame: the magic 02 21 4C 18 is missing");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(in.length * 3, 1 << 16));
        byte[] block = new byte[MAX_BLOCK_SIZE];
        while (buf.remaining() >= 4) {
            int size = buf.getInt();
            if (size == MAGIC) {
                continue; // a concatenated legacy frame
            }
            if (!buf.hasRemaining()) {
                // The kernel's appended uncompressed size.
                if (Integer.toUnsignedLong(size) != out.size()) {
                    throw new KernelFormatException("LZ4 payload decoded to " + out.size()
                        + " bytes but its trailer says " + Integer.toUnsignedLong(size));
                }
                break;
            }
            if (size <= 0 || size > buf.remaining()) {
                throw new KernelFormatException("corrupt LZ4 legacy frame: block of " + Integer.toUnsignedLong(size)
                    + " bytes at offset " + (buf.position() - 4) + ", only " + buf.remaining() + " left");
            }
            int n = decompressBlock(in, buf.position(), size, block);
            out.write(block, 0, n);
            buf.position(buf.position() + size);
        }
        return out.toByteArray();
    }

    /**
     * Decodes one LZ4 block {@code src[off .. off+len)} into {@code dst}; returns the decoded
     * length. Each sequence: token (high nibble literal length, low nibble match length - 4; 15
     * means "add following bytes until one is not 255"), literals, 2-byte little-endian offset,
     * match copied from the output (it may overlap itself). The last sequence has literals only.
     */
    public static int decompressBlock(byte[] src, int off, int len, byte[] dst) {
        int ip = off;
        int end = off + len;
        int op = 0;
        while (true) {
            if (ip >= end) {
                throw corrupt("input ended before a sequence token", ip - off);
            }
            int token = src[ip++] & 0xff;
            int literals = token >>> 4;
            if (literals == RUN_MASK) {
                int b;
                do {
                    if (ip >= end) {
                        throw corrupt("input ended inside a literal length", ip - off);
                    }
                    b = src[ip++] & 0xff;
                    literals += b;
                } while (b == 255);
            }
            if (literals > end - ip || literals > dst.length - op) {
                throw corrupt(literals + " literals overrun the " + (end - ip <= literals ? "input" : "output"), ip - off);
            }
            System.arraycopy(src, ip, dst, op, literals);
            ip += literals;
            op += literals;
            if (ip == end) {
                return op; // last sequence: literals only
            }
            if (end - ip < 2) {
                throw corrupt("input ended inside a match offset", ip - off);
            }
            int offset = (src[ip] & 0xff) | (src[ip + 1] & 0xff) << 8;
            ip += 2;
            if (offset == 0 || offset > op) {
                throw corrupt("match offset " + offset + " points before the start of the block", ip - off);
            }
            int matchLen = token & RUN_MASK;
            if (matchLen == RUN_MASK) {
                int b;
                do {
                    if (ip >= end) {
                        throw corrupt("input ended inside a match length", ip - off);
                    }
                    b = src[ip++] & 0xff;
                    matchLen += b;
                } while (b == 255);
            }
            matchLen += MIN_MATCH;
            if (matchLen > dst.length - op) {
                throw corrupt("match of " + matchLen + " bytes overruns the " + dst.length + "-byte output", ip - off);
            }
            int from = op - offset;
            if (offset >= matchLen) {
                System.arraycopy(dst, from, dst, op, matchLen);
            } else if (offset == 1) {
                Arrays.fill(dst, op, op + matchLen, dst[from]);
            } else {
                for (int i = 0; i < matchLen; i++) {
                    dst[op + i] = dst[from + i]; // overlapping copy repeats the pattern
                }
            }
            op += matchLen;
        }
    }

    private static KernelFormatException corrupt(String what, int at) {
        return new KernelFormatException("corrupt LZ4 block: " + what + " (block offset " + at + ")");
    }
}
