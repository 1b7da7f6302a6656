package dev.linuxvm.engine.loader;

import dev.linuxvm.engine.MemoryRegion;

import java.util.List;

/**
 * A parsed x86-64 vmlinux: its PT_LOAD segments as memory regions at their physical load
 * addresses, and the physical address of the 64-bit entry (startup_64).
 *
 * @param entry     guest physical address of the 64-bit entry point
 * @param segments  one region per PT_LOAD, ascending by address; size = p_memsz (BSS zeroed)
 */
public record ElfKernel(long entry, List<MemoryRegion> segments) {
    public ElfKernel {
        segments = List.copyOf(segments);
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a kernel has at least one segment");
        }
    }

    /** Lowest physical address the kernel occupies. */
    public long loadStart() {
        return segments.stream().mapToLong(MemoryRegion::address).min().orElseThrow();
    }

    /** First physical address past the kernel (including BSS). */
    public long loadEnd() {
        return segments.stream().mapToLong(MemoryRegion::end).max().orElseThrow();
    }

    /**
     * Checks that every segment lies in {@code [lowest, ramEnd)}.
     *
     * @param lowest  first address a segment may use (the boot structures live below it)
     * @param ramEnd  end of guest RAM usable for the kernel
     */
    public void requireInside(long lowest, long ramEnd) {
        for (MemoryRegion segment : segments) {
            if (segment.address() < lowest) {
                throw new KernelImageException(String.format(
                        "kernel %s starts below 0x%x, where the boot structures live: use a kernel linked"
                                + " at 1 MiB or above (CONFIG_PHYSICAL_START, 16 MiB by default)", segment, lowest));
            }
            if (segment.end() > ramEnd) {
                long neededMiB = (segment.end() >> 20) + ((segment.end() & ((1 << 20) - 1)) != 0 ? 1 : 0);
                throw new KernelImageException(String.format(
                        "kernel %s is outside guest RAM [0x0-0x%x): give the guest more than %d MiB of memory",
                        segment, ramEnd, neededMiB));
            }
        }
    }
}
