package dev.linuxvm.engine.devices;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The x86 I/O port space (64 KiB of ports). Devices own non-overlapping ranges. An access to a
 * port nobody owns is not fatal: reads return all ones (what an ISA bus with nothing driving it
 * returns), writes are dropped, and both are counted per port so reports can list them.
 */
public final class IoPortBus {
    /** Highest port number plus one. */
    public static final int PORT_SPACE = 0x1_0000;

    private record Range(String name, int base, int length, PortIoDevice device) {
        int end() {
            return base + length;
        }
    }

    private final NavigableMap<Integer, Range> ranges = new TreeMap<>();
    private final Map<Integer, AtomicLong> unknownAccesses = new ConcurrentHashMap<>();

    /** Registers {@code device} at ports [{@code base}, {@code base + length}). */
    public synchronized IoPortBus register(String name, int base, int length, PortIoDevice device) {
        if (base < 0 || length <= 0 || base + length > PORT_SPACE) {
            throw new IllegalArgumentException(String.format(
                    "%s: port range 0x%x+%d is outside the I/O space [0, 0x%x)", name, base, length, PORT_SPACE));
        }
        Range range = new Range(name, base, length, device);
        Map.Entry<Integer, Range> below = ranges.floorEntry(base + length - 1);
        if (below != null && below.getValue().end() > base) {
            Range other = below.getValue();
            throw new IllegalArgumentException(String.format(
                    "%s at ports 0x%x-0x%x overlaps %s at 0x%x-0x%x",
                    name, base, base + length - 1, other.name(), other.base(), other.end() - 1));
        }
        ranges.put(base, range);
        return this;
    }

    /** An IN of {@code size} bytes from {@code port}. */
    public int read(int port, int size) {
        Range r = find(port);
        if (r == null) {
            countUnknown(port);
            return allOnes(size);
        }
        return r.device().read(port - r.base(), size) & allOnes(size);
    }

    /** An OUT of the low {@code size} bytes of {@code data} to {@code port}. */
    public void write(int port, int data, int size) {
        Range r = find(port);
        if (r == null) {
            countUnknown(port);
            return;
        }
        r.device().write(port - r.base(), data & allOnes(size), size);
    }

    /** Accesses to unowned ports so far, by port. */
    public Map<Integer, Long> unknownPortAccesses() {
        Map<Integer, Long> copy = new TreeMap<>();
        unknownAccesses.forEach((port, n) -> copy.put(port, n.get()));
        return copy;
    }

    private synchronized Range find(int port) {
        Map.Entry<Integer, Range> e = ranges.floorEntry(port);
        return e != null && port < e.getValue().end() ? e.getValue() : null;
    }

    private void countUnknown(int port) {
        unknownAccesses.computeIfAbsent(port, p -> new AtomicLong()).incrementAndGet();
    }

    static int allOnes(int size) {
        switch (size) {
            case 1: return 0xFF;
            case 2: return 0xFFFF;
            case 4: return 0xFFFF_FFFF;
            default: throw new IllegalArgumentException("I/O access size " + size + ": must be 1, 2 or 4");
        }
    }
}
