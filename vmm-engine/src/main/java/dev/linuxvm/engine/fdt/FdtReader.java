package dev.linuxvm.engine.fdt;

import dev.linuxvm.engine.VmmException.Kind;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Parses a DTB back into a node tree, for tests and reports. Checks the header and the token
 * stream strictly; a blob it accepts has balanced nodes and in-bounds offsets.
 */
public final class FdtReader {
    /** A parsed blob: header, memory reservations (address, size pairs) and the root node. */
    public record Fdt(FdtHeader header, List<long[]> reservations, FdtNode root) {
        /** The node at an absolute path ("/", "/cpus/cpu@0"). */
        public Optional<FdtNode> node(String path) {
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("device tree paths are absolute: " + path);
            }
            FdtNode n = root;
            for (String part : path.substring(1).split("/")) {
                if (part.isEmpty()) {
                    continue;
                }
                Optional<FdtNode> c = n.child(part);
                if (c.isEmpty()) {
                    return Optional.empty();
                }
                n = c.get();
            }
            return Optional.of(n);
        }

        /** Like {@link #node} but throws naming the missing path. */
        public FdtNode require(String path) {
            return node(path).orElseThrow(() -> new FdtException(Kind.BAD_INPUT, "device tree: no node " + path));
        }
    }

    private FdtReader() {
    }

    /**
     * Parses {@code blob}. Anything malformed, truncated or pointing outside the blob (the header's
     * offsets and sizes, property lengths, name offsets) ends in an {@link FdtException} naming
     * the field; every offset is range-checked before it is used.
     */
    public static Fdt parse(byte[] blob) {
        if (blob.length < FdtHeader.SIZE) {
            throw new FdtException(Kind.BAD_INPUT, "device tree: blob of " + blob.length + " bytes is shorter than its header");
        }
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.BIG_ENDIAN);
        FdtHeader h = FdtHeader.readFrom(b);
        if (h.magic() != FdtHeader.FDT_MAGIC) {
            throw new FdtException(Kind.BAD_INPUT, String.format("device tree: bad magic 0x%08x", h.magic()));
        }
        if (h.version() < FdtHeader.VERSION || h.last_comp_version() > FdtHeader.VERSION) {
            throw new FdtException(Kind.BAD_INPUT, "device tree: unsupported version " + h.version() + "/" + h.last_comp_version());
        }
        if (h.totalsize() != blob.length) {
            throw new FdtException(Kind.BAD_INPUT, "device tree: totalsize " + h.totalsize() + " but blob is " + blob.length + " bytes");
        }
        checkBlock("structure", h.off_dt_struct(), h.size_dt_struct(), blob.length);
        checkBlock("strings", h.off_dt_strings(), h.size_dt_strings(), blob.length);
        List<long[]> reservations = reservations(b, h.off_mem_rsvmap(), blob.length);

        Block structure = new Block("structure", blob, h.off_dt_struct(), h.size_dt_struct());
        Block strings = new Block("strings", blob, h.off_dt_strings(), h.size_dt_strings());
        Deque<FdtNode> stack = new ArrayDeque<>();
        FdtNode root = null;
        while (true) {
            int at = structure.pos;
            int token = structure.u32("a token");
            switch (token) {
                case FdtToken.FDT_BEGIN_NODE: {
                    String name = structure.takeString("the name of the node at structure offset " + at);
                    structure.align4();
                    FdtNode parent = stack.peek();
                    if (parent == null && root != null) {
                        throw new FdtException(Kind.BAD_INPUT, "device tree: second root node '" + name + "'");
                    }
                    String path = parent == null ? "/" : (parent.path().equals("/") ? "/" : parent.path() + "/") + name;
                    FdtNode node = new FdtNode(name, path);
                    if (parent == null) {
                        root = node;
                    } else {
                        parent.children.add(node);
                    }
                    stack.push(node);
                    break;
                }
                case FdtToken.FDT_END_NODE:
                    if (stack.isEmpty()) {
                        throw new FdtException(Kind.BAD_INPUT, "device tree: FDT_END_NODE without an open node");
                    }
                    stack.pop();
                    break;
                case FdtToken.FDT_PROP: {
                    int len = structure.u32("the len of the property at structure offset " + at);
                    int nameoff = structure.u32("the nameoff of the property at structure offset " + at);
                    if (stack.isEmpty()) {
                        throw new FdtException(Kind.BAD_INPUT, "device tree: property outside any node");
                    }
                    if (nameoff < 0 || nameoff >= h.size_dt_strings()) {
                        throw new FdtException(Kind.BAD_INPUT, "device tree: property name offset " + nameoff + " out of the strings block");
                    }
                    if (len < 0 || len > structure.remaining()) {
                        throw new FdtException(Kind.BAD_INPUT, String.format("device tree: the property at structure offset %d has len %d"
                                + " but the structure block has %d bytes left", at, Integer.toUnsignedLong(len),
                                structure.remaining()));
                    }
                    String name = strings.string(nameoff, "the name of the property at structure offset " + at);
                    byte[] value = structure.bytes(len);
                    structure.align4();
                    stack.peek().properties.put(name, value);
                    break;
                }
                case FdtToken.FDT_NOP:
                    break;
                case FdtToken.FDT_END:
                    if (!stack.isEmpty() || root == null) {
                        throw new FdtException(Kind.BAD_INPUT, "device tree: FDT_END with unclosed nodes " + stack);
                    }
                    return new Fdt(h, reservations, root);
                default:
                    throw new FdtException(Kind.BAD_INPUT, String.format("device tree: unknown token 0x%x at structure offset %d",
                            token, at));
            }
        }
    }

    private static void checkBlock(String what, int off, int size, int total) {
        if (off < FdtHeader.SIZE || size < 0 || (long) off + size > total) {
            throw new FdtException(Kind.BAD_INPUT, "device tree: " + what + " block [" + off + ", +" + size + ") outside the blob");
        }
    }

    /** Spec 5.3: (address, size) u64 pairs, 8-byte aligned, ending with a pair of zeros. */
    private static List<long[]> reservations(ByteBuffer b, int offset, int total) {
        if (offset < FdtHeader.SIZE || offset > total || offset % Long.BYTES != 0) {
            throw new FdtException(Kind.BAD_INPUT, "device tree: off_mem_rsvmap " + offset + " is not an 8-byte aligned offset"
                    + " inside the blob of " + total + " bytes after its header");
        }
        List<long[]> reservations = new ArrayList<>();
        for (int at = offset; ; at += 2 * Long.BYTES) {
            if (total - at < 2 * Long.BYTES) {
                throw new FdtException(Kind.BAD_INPUT, "device tree: the memory reservation block at " + offset
                        + " runs past the end of the blob without its terminating (0, 0) entry");
            }
            long address = b.getLong(at);
            long size = b.getLong(at + Long.BYTES);
            if (address == 0 && size == 0) {
                return reservations;
            }
            reservations.add(new long[] {address, size});
        }
    }

    /** A bounds-checked big-endian reader over one block of the blob; positions are block offsets. */
    private static final class Block {
        private final String what;
        private final byte[] blob;
        private final int start;
        private final int size;
        int pos;

        Block(String what, byte[] blob, int start, int size) {
            this.what = what;
            this.blob = blob;
            this.start = start;
            this.size = size;
        }

        int remaining() {
            return Math.max(0, size - pos);
        }

        int u32(String field) {
            if (remaining() < Integer.BYTES) {
                throw new FdtException(Kind.BAD_INPUT, "device tree: the " + what + " block (" + size + " bytes) ends inside "
                        + field + " at offset " + pos);
            }
            int at = start + pos;
            pos += Integer.BYTES;
            return (blob[at] & 0xff) << 24 | (blob[at + 1] & 0xff) << 16 | (blob[at + 2] & 0xff) << 8 | blob[at + 3] & 0xff;
        }

        byte[] bytes(int length) {
            byte[] out = Arrays.copyOfRange(blob, start + pos, start + pos + length); // length <= remaining()
            pos += length;
            return out;
        }

        /** The NUL-terminated string at block offset {@code offset}. */
        String string(int offset, String field) {
            return new String(blob, start + offset, nul(offset, field) - offset, StandardCharsets.UTF_8);
        }

        /** The NUL-terminated string at the position; moves past its NUL. */
        String takeString(String field) {
            int nul = nul(pos, field);
            String s = string(pos, field);
            pos = nul + 1;
            return s;
        }

        private int nul(int offset, String field) {
            for (int i = offset; i < size; i++) {
                if (blob[start + i] == 0) {
                    return i;
                }
            }
            throw new FdtException(Kind.BAD_INPUT, "device tree: " + field + " runs past the end of the " + what
                    + " block without its NUL");
        }

        void align4() {
            pos = FdtWriter.align(pos, 4); // may pass the end: the next read then fails with a message
        }
    }
}
