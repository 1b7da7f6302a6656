package dev.linuxvm.engine.fdt;

import dev.linuxvm.engine.VmmException.Kind;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One node of a parsed device tree ({@link FdtReader}); property values are big-endian. */
public final class FdtNode {
    private final String name;
    private final String path;
    final Map<String, byte[]> properties = new LinkedHashMap<>();
    final List<FdtNode> children = new ArrayList<>();

    FdtNode(String name, String path) {
        this.name = name;
        this.path = path;
    }

    /** Node name with unit address ("cpu@0"); "" for the root. */
    public String name() {
        return name;
    }

    /** Full path ("/", "/cpus/cpu@0"). */
    public String path() {
        return path;
    }

    /** Properties in blob order. */
    public Map<String, byte[]> properties() {
        return Collections.unmodifiableMap(properties);
    }

    public List<FdtNode> children() {
        return Collections.unmodifiableList(children);
    }

    public boolean hasProperty(String prop) {
        return properties.containsKey(prop);
    }

    /** Raw value of a property; throws when absent. */
    public byte[] property(String prop) {
        byte[] v = properties.get(prop);
        if (v == null) {
            throw new FdtException(Kind.BAD_INPUT, "device tree: " + path + " has no property '" + prop + "'");
        }
        return v.clone();
    }

    public int u32(String prop) {
        byte[] v = sized(prop, 4);
        return ByteBuffer.wrap(v).order(ByteOrder.BIG_ENDIAN).getInt();
    }

    public long u64(String prop) {
        byte[] v = sized(prop, 8);
        return ByteBuffer.wrap(v).order(ByteOrder.BIG_ENDIAN).getLong();
    }

    public int[] u32Array(String prop) {
        byte[] v = property(prop);
        if (v.length % 4 != 0) {
            throw new FdtException(Kind.BAD_INPUT, "device tree: " + path + "/" + prop + " is " + v.length + " bytes, not whole cells");
        }
        int[] out = new int[v.length / 4];
        ByteBuffer.wrap(v).order(ByteOrder.BIG_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    public long[] u64Array(String prop) {
        byte[] v = property(prop);
        if (v.length % 8 != 0) {
            throw new FdtException(Kind.BAD_INPUT, "device tree: " + path + "/" + prop + " is " + v.length + " bytes, not whole u64s");
        }
        long[] out = new long[v.length / 8];
        ByteBuffer.wrap(v).order(ByteOrder.BIG_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    /** A single NUL-terminated string. */
    public String string(String prop) {
        List<String> list = stringList(prop);
        if (list.size() != 1) {
            throw new FdtException(Kind.BAD_INPUT, "device tree: " + path + "/" + prop + " holds " + list.size() + " strings, not one");
        }
        return list.get(0);
    }

    public List<String> stringList(String prop) {
        byte[] v = property(prop);
        if (v.length == 0 || v[v.length - 1] != 0) {
            throw new FdtException(Kind.BAD_INPUT, "device tree: " + path + "/" + prop + " is not NUL-terminated");
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < v.length; i++) {
            if (v[i] == 0) {
                out.add(new String(v, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return out;
    }

    /** Direct child by name ("cpu@0"). */
    public Optional<FdtNode> child(String childName) {
        return children.stream().filter(c -> c.name.equals(childName)).findFirst();
    }

    private byte[] sized(String prop, int size) {
        byte[] v = property(prop);
        if (v.length != size) {
            throw new FdtException(Kind.BAD_INPUT, "device tree: " + path + "/" + prop + " is " + v.length + " bytes, expected " + size);
        }
        return v;
    }

    @Override
    public String toString() {
        return path;
    }
}
