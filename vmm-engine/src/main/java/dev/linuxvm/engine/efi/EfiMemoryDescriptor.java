package dev.linuxvm.engine.efi;

import java.nio.ByteBuffer;

/**
 * {@code EFI_MEMORY_DESCRIPTOR} (UEFI 2.10, section 7.2, GetMemoryMap()). The structure is 40
 * bytes; firmware lays descriptors out with a larger stride and tells the OS the stride
 * ("DescriptorSize", here the stub DT's {@code linux,uefi-mmap-desc-size}). linuxvm uses
 * {@link #DESCRIPTOR_SIZE} = 48, the stride EDK2 uses, so the kernel must honour desc-size.
 *
 * @param Type          an {@link EfiMemoryType}
 * @param PhysicalStart 4 KiB-aligned start of the range
 * @param VirtualStart  0: no runtime mapping
 * @param NumberOfPages length in 4 KiB pages
 * @param Attribute     {@link EfiMemoryAttribute} bits
 */
public record EfiMemoryDescriptor(EfiMemoryType Type, long PhysicalStart, long VirtualStart, long NumberOfPages,
                                  long Attribute) {
    /** sizeof(EFI_MEMORY_DESCRIPTOR): UINT32 Type, 4 bytes padding, four UINT64. */
    public static final int SIZE = 40;
    /** The stride between descriptors in our memory maps (the kernel is told via desc-size). */
    public static final int DESCRIPTOR_SIZE = 48;
    /** Section 7.2: EFI_MEMORY_DESCRIPTOR_VERSION. */
    public static final int EFI_MEMORY_DESCRIPTOR_VERSION = 1;
    /** Section 7.2: NumberOfPages counts EFI_PAGE_SIZE (4 KiB) pages. */
    public static final long EFI_PAGE_SIZE = 4096;

    public EfiMemoryDescriptor {
        if (PhysicalStart % EFI_PAGE_SIZE != 0) {
            throw new EfiException(String.format("EFI memory descriptor %s at 0x%x is not 4 KiB aligned", Type,
                    PhysicalStart));
        }
        if (NumberOfPages <= 0) {
            throw new EfiException("EFI memory descriptor " + Type + " has " + NumberOfPages + " pages");
        }
    }

    /** A descriptor for [start, end); both ends must be page aligned. */
    public static EfiMemoryDescriptor range(EfiMemoryType type, long start, long end, long attribute) {
        if (end % EFI_PAGE_SIZE != 0) {
            throw new EfiException(String.format("EFI memory descriptor %s end 0x%x is not 4 KiB aligned", type, end));
        }
        return new EfiMemoryDescriptor(type, start, 0, (end - start) / EFI_PAGE_SIZE, attribute);
    }

    /** First address past the range. */
    public long end() {
        return PhysicalStart + NumberOfPages * EFI_PAGE_SIZE;
    }

    /** Writes {@link #SIZE} bytes; the caller pads to the stride. */
    public void writeTo(ByteBuffer out) {
        EfiSystemTable.requireLittleEndian(out);
        out.putInt(Type.value()); // UINT32 Type
        out.putInt(0);            // padding to 8-byte alignment
        out.putLong(PhysicalStart);
        out.putLong(VirtualStart);
        out.putLong(NumberOfPages);
        out.putLong(Attribute);
    }

    @Override
    public String toString() {
        return String.format("%s [0x%x-0x%x) attr 0x%x", Type, PhysicalStart, end(), Attribute);
    }
}
