package dev.linuxvm.engine.fdt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
            return node(path).orElseThrow(() -> new FdtException("device tree: no node " + path));
        }
    }

    private FdtReader() {
    }

    public static Fdt parse(byte[] blob) {
        try {
            return parseChecked(blob);
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new FdtException("device tree: truncated or malformed blob (" + e + ")");
        }
    }

    private static Fdt parseChecked(byte[] blob) {
        if (blob.length < FdtHeader.SIZE) {
            throw new FdtException("device tree: blob of " + blob.length + " bytes is shorter than its header");
        }
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.BIG_ENDIAN);
        FdtHeader h = FdtHeader.readFrom(b);
        if (h.magic() != FdtHeader.FDT_MAGIC) {
            throw new FdtException(String.format("device tree: bad magic 0x%08x", h.magic()));
        }
        if (h.version() < FdtHeader.VERSION || h.last_comp_version() > FdtHeader.VERSION) {
            throw new FdtException("device tree: unsupported version " + h.version() + "/" + h.last_comp_version());
        }
        if (h.totalsize() != blob.length) {
            throw new FdtException("device tree: totalsize " + h.totalsize() + " but blob is " + blob.length + " bytes");
        }
        checkBlock("structure", h.off_dt_struct(), h.size_dt_struct(), blob.length);
        checkBlock("strings", h.off_dt_strings(), h.size_dt_strings(), blob.length);

        List<long[]> reservations = new ArrayList<>();
        b.position(h.off_mem_rsvmap());
        while (true) {
            long address = b.getLong();
            long size = b.getLong();
            if (address == 0 && size == 0) {
                break;
            }
            reservations.add(new long[] {address, size});
        }

        ByteBuffer s = ByteBuffer.wrap(blob, h.off_dt_struct(), h.size_dt_struct()).slice().order(ByteOrder.BIG_ENDIAN);
        Deque<FdtNode> stack = new ArrayDeque<>();
        FdtNode root = null;
        while (true) {
            int token = s.getInt();
            switch (token) {
                case FdtToken.FDT_BEGIN_NODE: {
                    String name = readString(s);
                    s.position(FdtWriter.align(s.position(), 4));
                    FdtNode parent = stack.peek();
                    if (parent == null && root != null) {
                        throw new FdtException("device tree: second root node '" + name + "'");
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
                        throw new FdtException("device tree: FDT_END_NODE without an open node");
                    }
                    stack.pop();
                    break;
                case FdtToken.FDT_PROP: {
                    int len = s.getInt();
                    int nameoff = s.getInt();
                    if (stack.isEmpty()) {
                        throw new FdtException("device tree: property outside any node");
                    }
                    if (nameoff < 0 || nameoff >= h.size_dt_strings()) {
                        throw new FdtException("device tree: property name offset " + nameoff + " out of the strings block");
                    }
                    String name = readString(ByteBuffer.wrap(blob, h.off_dt_strings() + nameoff,
                            h.size_dt_strings() - nameoff));
                    byte[] value = new byte[len];
                    s.get(value);
                    s.position(FdtWriter.align(s.position(), 4));
                    stack.peek().properties.put(name, value);
                    break;
                }
                case FdtToken.FDT_NOP:
                    break;
                case FdtToken.FDT_END:
                    if (!stack.isEmpty() || root == null) {
                        throw new FdtException("device tree: FDT_END with unclosed nodes " + stack);
                    }
                    return new Fdt(h, reservations, root);
                default:
                    throw new FdtException(String.format("device tree: unknown token 0x%x at structure offset %d",
                            token, s.position() - 4));
            }
        }
    }

    private static void checkBlock(String what, int off, int size, int total) {
        if (off < FdtHeader.SIZE || size < 0 || (long) off + size > total) {
            throw new FdtException("device tree: " + what + " block [" + off + ", +" + size + ") outside the blob");
        }
    }

    private static String readString(ByteBuffer b) {
        int start = b.position();
        while (b.get() != 0) {
            // scan to the NUL
        }
        byte[] bytes = new byte[b.position() - start - 1];
        b.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
