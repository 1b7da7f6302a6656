package dev.linuxvm.engine;

import java.util.Objects;

/**
 * Bytes the engine places in guest physical memory.
 *
 * @param name     what this is ("kernel", "zero page", "DSDT"), for messages and reports
 * @param address  guest physical address of the first byte
 * @param data     the initialised contents; not copied, callers must not modify it afterwards
 * @param size     bytes reserved at {@code address}; {@code size >= data.length}, the rest is
 *                 zero (for example a kernel's BSS)
 */
public record MemoryRegion(String name, long address, byte[] data, long size) {
    public MemoryRegion {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        if (address < 0) {
            throw new IllegalArgumentException(name + ": negative address " + address);
        }
        if (size < data.length) {
            throw new IllegalArgumentException(name + ": size " + size + " < data length " + data.length);
        }
        Math.addExact(address, size);
    }

    /** A region whose size is exactly its data. */
    public static MemoryRegion of(String name, long address, byte[] data) {
        return new MemoryRegion(name, address, data, data.length);
    }

    /** First address past this region. */
    public long end() {
        return address + size;
    }

    public boolean overlaps(MemoryRegion other) {
        return address < other.end() && other.address < end();
    }

    @Override
    public String toString() {
        return String.format("%s [0x%x-0x%x)", name, address, end());
    }
}
