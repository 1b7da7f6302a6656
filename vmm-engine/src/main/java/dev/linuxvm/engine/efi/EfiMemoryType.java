package dev.linuxvm.engine.efi;

/** {@code EFI_MEMORY_TYPE} (UEFI 2.10, section 7.2, AllocatePages()), with the spec's values. */
public enum EfiMemoryType {
    EfiReservedMemoryType(0),
    EfiLoaderCode(1),
    EfiLoaderData(2),
    EfiBootServicesCode(3),
    EfiBootServicesData(4),
    EfiRuntimeServicesCode(5),
    EfiRuntimeServicesData(6),
    EfiConventionalMemory(7),
    EfiUnusableMemory(8),
    EfiACPIReclaimMemory(9),
    EfiACPIMemoryNVS(10),
    EfiMemoryMappedIO(11),
    EfiMemoryMappedIOPortSpace(12),
    EfiPalCode(13),
    EfiPersistentMemory(14);

    private final int value;

    EfiMemoryType(int value) {
        this.value = value;
    }

    /** The UINT32 written into {@code EFI_MEMORY_DESCRIPTOR.Type}. */
    public int value() {
        return value;
    }
}
