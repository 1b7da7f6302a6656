package dev.linuxvm.engine.fdt;

import dev.linuxvm.engine.VmmException.Kind;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a flattened device tree blob (Devicetree Specification v0.4, chapter 5), version 17.
 *
 * <p><b>Byte order:</b> a DTB is big-endian throughout (header, reservation entries, tokens,
 * property lengths and cell values). Everything here writes big-endian; the rest of the engine
 * is little-endian.
 *
 * <p>Layout of the blob, as dtc lays it out: header (40 bytes), memory reservation block
 * (8-byte aligned, terminated by a zero entry), structure block, strings block (property names,
 * each stored once).
 *
 * <p>Misuse is loud: {@link #beginNode} returns a token that {@link #endNode} checks against the
 * innermost open node, properties must come before a node's children and be unique within it,
 * and {@link #finish()} rejects unclosed nodes.
 */
public final class FdtWriter {
    /** Spec 5.3.2: each reservation entry is a pair of u64 (address, size). */
    private static final int RESERVE_ENTRY_SIZE = 16;

    private final List<long[]> reservations = new ArrayList<>();
    private final ByteArrayOutputStream struct = new ByteArrayOutputStream();
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> stringOffsets = new LinkedHashMap<>();
    private final Deque<Node> open = new ArrayDeque<>();
    private boolean rootWritten;
    private boolean finished;
    private int nextPhandle = 1;
    private int bootCpuidPhys;

    /** Handle for an open node; pass it back to {@link FdtWriter#endNode}. */
    public static final class Node {
        private final String path;
        private final Set<String> propertyNames = new HashSet<>();
        private boolean hasChildren;

        private Node(String path) {
            this.path = path;
        }

        /** The node's full path ("/", "/cpus/cpu@0"). */
        public String path() {
            return path;
        }

        @Override
        public String toString() {
            return path;
        }
    }

    /** Adds an entry to the memory reservation block (spec 5.3). */
    public FdtWriter addMemoryReservation(long address, long size) {
        requireNotFinished();
        if (rootWritten) {
            throw new FdtException(Kind.INTERNAL, "device tree: add memory reservations before the root node");
        }
        reservations.add(new long[] {address, size});
        return this;
    }

    /** Sets {@code boot_cpuid_phys} in the header (default 0). */
    public FdtWriter bootCpuidPhys(int id) {
        this.bootCpuidPhys = id;
        return this;
    }

    /**
     * Opens a node. The first node must be the root, named "" (spec 2.2.1); node names are
     * {@code name[@unit-address]} from the characters of spec table 2.1.
     */
    public Node beginNode(String name) {
        requireNotFinished();
        String path;
        if (open.isEmpty()) {
            if (rootWritten) {
                throw new FdtException(Kind.INTERNAL, "device tree: a second root node '" + name + "': a tree has exactly one root");
            }
            if (!name.isEmpty()) {
                throw new FdtException(Kind.INTERNAL, "device tree: the root node must be named \"\" (spec 2.2.1), got '" + name + "'");
            }
            rootWritten = true;
            path = "/";
        } else {
            validateNodeName(name);
            Node parent = open.peek();
            parent.hasChildren = true;
            path = parent.path.equals("/") ? "/" + name : parent.path + "/" + name;
        }
        writeInt(struct, FdtToken.FDT_BEGIN_NODE);
        writeString(struct, name);
        pad4(struct);
        Node node = new Node(path);
        open.push(node);
        return node;
    }

    /** Closes {@code node}, which must be the innermost open node. */
    public void endNode(Node node) {
        requireNotFinished();
        if (open.isEmpty()) {
            throw new FdtException(Kind.INTERNAL, "device tree: endNode(" + node + ") but no node is open");
        }
        if (open.peek() != node) {
            throw new FdtException(Kind.INTERNAL, "device tree: endNode(" + node + ") but the innermost open node is "
                    + open.peek() + ": close nodes in reverse order of beginNode");
        }
        open.pop();
        writeInt(struct, FdtToken.FDT_END_NODE);
    }

    /** Emits an FDT_NOP token (spec 5.4.1), which readers skip. */
    public void nop() {
        requireNotFinished();
        writeInt(struct, FdtToken.FDT_NOP);
    }

    /** Allocates a fresh phandle (1, 2, ...; 0 and 0xffffffff are reserved by the spec). */
    public int allocatePhandle() {
        return nextPhandle++;
    }

    /** A property with no value (a boolean such as {@code interrupt-controller}). */
    public void propertyEmpty(String name) {
        property(name, new byte[0]);
    }

    /** A {@code <u32>} property. */
    public void propertyU32(String name, int value) {
        propertyU32Array(name, value);
    }

    /** A {@code <u64>} property (two cells, most significant first). */
    public void propertyU64(String name, long value) {
        propertyU64Array(name, value);
    }

    /** A {@code <prop-encoded-array>} of u32 cells. */
    public void propertyU32Array(String name, int... values) {
        ByteBuffer b = ByteBuffer.allocate(Integer.BYTES * values.length).order(ByteOrder.BIG_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        property(name, b.array());
    }

    /** A {@code <prop-encoded-array>} of u64 values (two cells each). */
    public void propertyU64Array(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(Long.BYTES * values.length).order(ByteOrder.BIG_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        property(name, b.array());
    }

    /** A NUL-terminated string property. */
    public void propertyString(String name, String value) {
        propertyStringList(name, value);
    }

    /** A {@code <stringlist>}: NUL-terminated strings back to back. */
    public void propertyStringList(String name, String... values) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String v : values) {
            if (v.indexOf('\0') >= 0) {
                throw new FdtException(Kind.INTERNAL, "device tree: property '" + name + "' value contains a NUL character");
            }
            b.writeBytes(v.getBytes(StandardCharsets.UTF_8));
            b.write(0);
        }
        property(name, b.toByteArray());
    }

    /** A property with raw value bytes. */
    public void property(String name, byte[] value) {
        requireNotFinished();
        Node node = open.peek();
        if (node == null) {
            throw new FdtException(Kind.INTERNAL, "device tree: property '" + name + "' outside any node: call beginNode first");
        }
        validatePropertyName(name);
        if (node.hasChildren) {
            throw new FdtException(Kind.INTERNAL, "device tree: property '" + name + "' in " + node
                    + " after a child node: write a node's properties before its children (spec 5.4.2)");
        }
        if (!node.propertyNames.add(name)) {
            throw new FdtException(Kind.INTERNAL, "device tree: duplicate property '" + name + "' in " + node);
        }
        writeInt(struct, FdtToken.FDT_PROP);
        writeInt(struct, value.length);
        writeInt(struct, stringOffset(name));
        struct.writeBytes(value);
        pad4(struct);
    }

    /** Ends the tree and returns the blob; rejects unclosed nodes and an empty tree. */
    public byte[] finish() {
        requireNotFinished();
        if (!rootWritten) {
            throw new FdtException(Kind.INTERNAL, "device tree: no root node: call beginNode(\"\") first");
        }
        if (!open.isEmpty()) {
            throw new FdtException(Kind.INTERNAL, "device tree: finish() with unclosed node(s) " + open
                    + ": call endNode for each beginNode");
        }
        finished = true;
        writeInt(struct, FdtToken.FDT_END);

        int offMemRsvmap = align(FdtHeader.SIZE, 8);
        int rsvSize = RESERVE_ENTRY_SIZE * (reservations.size() + 1);
        int offStruct = offMemRsvmap + rsvSize;
        int offStrings = offStruct + struct.size();
        int total = offStrings + strings.size();
        ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.BIG_ENDIAN);
        new FdtHeader(FdtHeader.FDT_MAGIC, total, offStruct, offStrings, offMemRsvmap, FdtHeader.VERSION,
                FdtHeader.LAST_COMP_VERSION, bootCpuidPhys, strings.size(), struct.size()).writeTo(out);
        out.position(offMemRsvmap);
        for (long[] r : reservations) {
            out.putLong(r[0]);
            out.putLong(r[1]);
        }
        out.putLong(0).putLong(0);
        out.put(struct.toByteArray());
        out.put(strings.toByteArray());
        return out.array();
    }

    private int stringOffset(String name) {
        return stringOffsets.computeIfAbsent(name, n -> {
            int off = strings.size();
            writeString(strings, n);
            return off;
        });
    }

    private void requireNotFinished() {
        if (finished) {
            throw new FdtException(Kind.INTERNAL, "device tree: the blob is already finished: use a new FdtWriter");
        }
    }

    /** Spec 2.2.1, table 2.1: node-name characters, plus one '@' before the unit address. */
    private static void validateNodeName(String name) {
        int at = name.indexOf('@');
        String base = at < 0 ? name : name.substring(0, at);
        boolean ok = !base.isEmpty() && base.length() <= 31 && name.indexOf('@', at + 1) < 0;
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = Character.isLetterOrDigit(c) && c < 0x80 || ",._+-@".indexOf(c) >= 0;
        }
        if (!ok) {
            throw new FdtException(Kind.INTERNAL, "device tree: invalid node name '" + name
                    + "': use 1-31 of [a-zA-Z0-9,._+-], optionally @unit-address (DT spec 2.2.1)");
        }
    }

    /** Spec 2.2.4, table 2.2: property-name characters. */
    private static void validatePropertyName(String name) {
        boolean ok = !name.isEmpty() && name.length() <= 31;
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = Character.isLetterOrDigit(c) && c < 0x80 || ",._+?#-".indexOf(c) >= 0;
        }
        if (!ok) {
            throw new FdtException(Kind.INTERNAL, "device tree: invalid property name '" + name
                    + "': use 1-31 of [a-zA-Z0-9,._+?#-] (DT spec 2.2.4)");
        }
    }

    static void requireBigEndian(ByteBuffer b) {
        if (b.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("device tree buffers are big-endian");
        }
    }

    static int align(int value, int alignment) {
        return (value + alignment - 1) & -alignment;
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    private static void pad4(ByteArrayOutputStream out) {
        while (out.size() % 4 != 0) {
            out.write(0);
        }
    }
}
