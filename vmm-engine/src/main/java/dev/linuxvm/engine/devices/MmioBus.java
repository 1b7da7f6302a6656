package dev.linuxvm.engine.devices;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Guest physical addresses that are devices rather than RAM. Accesses to addresses no device
 * owns read as zero (the arm64 kernel probes optional devices this way), drop writes, and are
 * counted per address.
 */
public final class MmioBus {
    private record Range(String name, long base, long length, MmioDevice device) {
        long end() {
            return base + length;
        }
    }

    private final NavigableMap<Long, Range> ranges = new TreeMap<>();
    private final Map<Long, AtomicLong> unknownAccesses = new ConcurrentHashMap<>();

    /** Registers {@code device} at [{@code base}, {@code base + length}). */
    public synchronized MmioBus register(String name, long base, long length, MmioDevice device) {
        if (base < 0 || length <= 0) {
            throw new IllegalArgumentException(String.format("%s: bad MMIO range 0x%x+0x%x", name, base, length));
        }
        long end = Math.addExact(base, length);
        Map.Entry<Long, Range> below = ranges.floorEntry(end - 1);
        if (below != null && below.getValue().end() > base) {
            Range other = below.getValue();
            throw new IllegalArgumentException(String.format("%s at 0x%x-0x%x overlaps %s at 0x%x-0x%x",
                    name, base, end - 1, other.name(), other.base(), other.end() - 1));
        }
        ranges.put(base, new Range(name, base, length, device));
        return this;
    }

    public long read(long address, int size) {
        Range r = find(address);
        if (r == null) {
            unknownAccesses.computeIfAbsent(address, a -> new AtomicLong()).incrementAndGet();
            return 0;
        }
        return r.device().read(address - r.base(), size);
    }

    public void write(long address, long data, int size) {
        Range r = find(address);
        if (r == null) {
            unknownAccesses.computeIfAbsent(address, a -> new AtomicLong()).incrementAndGet();
            return;
        }
        r.device().write(address - r.base(), data, size);
    }

    /** Accesses to unowned addresses so far, by address. */
    public Map<Long, Long> unknownAccesses() {
        Map<Long, Long> copy = new TreeMap<>();
        unknownAccesses.forEach((a, n) -> copy.put(a, n.get()));
        return copy;
    }

    private synchronized Range find(long address) {
        Map.Entry<Long, Range> e = ranges.floorEntry(address);
        return e != null && address < e.getValue().end() ? e.getValue() : null;
    }
}
