package dev.linuxvm.engine.efi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An EFI memory map as GetMemoryMap() returns it (UEFI 2.10, section 7.2): descriptors sorted by
 * address, non-overlapping, {@link EfiMemoryDescriptor#DESCRIPTOR_SIZE} bytes apart.
 */
public final class EfiMemoryMap {
    private final List<EfiMemoryDescriptor> descriptors;

    public EfiMemoryMap(List<EfiMemoryDescriptor> descriptors) {
        List<EfiMemoryDescriptor> sorted = new ArrayList<>(descriptors);
        sorted.sort(Comparator.comparingLong(EfiMemoryDescriptor::PhysicalStart));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).PhysicalStart() < sorted.get(i - 1).end()) {
                throw new EfiException("EFI memory map: " + sorted.get(i - 1) + " overlaps " + sorted.get(i));
            }
        }
        this.descriptors = List.copyOf(sorted);
    }

    public List<EfiMemoryDescriptor> descriptors() {
        return descriptors;
    }

    /** Size in bytes ({@code linux,uefi-mmap-size}). */
    public int size() {
        return descriptors.size() * EfiMemoryDescriptor.DESCRIPTOR_SIZE;
    }

    /** The descriptors at {@link EfiMemoryDescriptor#DESCRIPTOR_SIZE} stride, padding zeroed. */
    public byte[] toBytes() {
        ByteBuffer out = ByteBuffer.allocate(size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < descriptors.size(); i++) {
            out.position(i * EfiMemoryDescriptor.DESCRIPTOR_SIZE);
            descriptors.get(i).writeTo(out);
        }
        return out.array();
    }
}
