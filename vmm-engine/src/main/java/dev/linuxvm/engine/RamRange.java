package dev.linuxvm.engine;

/**
 * One contiguous range of guest RAM, in guest physical addresses. A guest's RAM is one or more
 * of these (x86_64 above 3 GiB: below the 32-bit hole and from 4 GiB up); the builder decides
 * them and a backend maps exactly them.
 */
public record RamRange(long base, long size) {
    public RamRange {
        if (base < 0 || size <= 0) {
            throw new VmmException(VmmException.Kind.INTERNAL, String.format("guest layout error: RAM range base 0x%x size 0x%x: base must be"
                    + " >= 0 and size > 0", base, size));
        }
        Math.addExact(base, size);
    }

    /** First address past this range. */
    public long end() {
        return base + size;
    }

    /** Whether [{@code address}, {@code address + length}) lies inside this range. */
    public boolean contains(long address, long length) {
        return address >= base && length >= 0 && address - base <= size - length;
    }

    @Override
    public String toString() {
        return String.format("RAM [0x%x-0x%x)", base, end());
    }
}
