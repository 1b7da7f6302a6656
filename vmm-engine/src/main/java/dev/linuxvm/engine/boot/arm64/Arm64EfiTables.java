package dev.linuxvm.engine.boot.arm64;

import dev.linuxvm.engine.efi.EfiConfigurationTable;
import dev.linuxvm.engine.efi.EfiGuid;
import dev.linuxvm.engine.efi.EfiMemoryMap;
import dev.linuxvm.engine.efi.EfiRtPropertiesTable;
import dev.linuxvm.engine.efi.EfiSystemTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The EFI structures an ACPI-mode guest gets instead of firmware, as one blob:
 *
 * <pre>
 * +0    EFI_SYSTEM_TABLE (120)       FirmwareVendor → vendor string, ConfigurationTable → entries
 * +120  FirmwareVendor "linuxvm" UTF-16
 * +8n   EFI_CONFIGURATION_TABLE[2]  {ACPI 2.0 GUID → RSDP}, {RT properties GUID → table below}
 *       EFI_RT_PROPERTIES_TABLE     no runtime services
 *       memory map                   48-byte descriptors
 * </pre>
 */
public final class Arm64EfiTables {
    /** FirmwareVendor; the kernel prints "efi: EFI v2.70 by linuxvm". */
    public static final String FIRMWARE_VENDOR = "linuxvm";
    /** FirmwareRevision (vendor-defined). */
    public static final int FIRMWARE_REVISION = 1;
    /** Entries: ACPI 2.0 RSDP and EFI_RT_PROPERTIES_TABLE. */
    public static final int CONFIGURATION_TABLE_ENTRIES = 2;

    private static final int ALIGN = 8; // natural alignment of the UINT64 fields

    /** Offset of the FirmwareVendor string: right after the system table. */
    static final int VENDOR_OFFSET = EfiSystemTable.SIZE;
    /** Offset of the configuration table entries. */
    static final int CONFIG_OFFSET = align(VENDOR_OFFSET + EfiSystemTable.vendorString(FIRMWARE_VENDOR).length);
    /** Offset of the EFI_RT_PROPERTIES_TABLE. */
    static final int RT_PROPERTIES_OFFSET = CONFIG_OFFSET + CONFIGURATION_TABLE_ENTRIES * EfiConfigurationTable.SIZE;
    /** Offset of the memory map. */
    static final int MEMORY_MAP_OFFSET = align(RT_PROPERTIES_OFFSET + EfiRtPropertiesTable.SIZE);

    /**
     * The built blob and where the kernel must be pointed.
     *
     * @param blob        bytes to place at the base address
     * @param systemTable address of EFI_SYSTEM_TABLE ({@code linux,uefi-system-table})
     * @param mmapStart   address of the memory map ({@code linux,uefi-mmap-start})
     * @param mmapSize    bytes of memory map ({@code linux,uefi-mmap-size})
     */
    public record Result(byte[] blob, long systemTable, long mmapStart, int mmapSize) {
    }

    private Arm64EfiTables() {
    }

    public static Result build(long base, long rsdpAddress, EfiMemoryMap memoryMap) {
        ByteBuffer out = ByteBuffer.allocate(MEMORY_MAP_OFFSET + memoryMap.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new EfiSystemTable(base + VENDOR_OFFSET, FIRMWARE_REVISION, CONFIGURATION_TABLE_ENTRIES,
                base + CONFIG_OFFSET).toBytes());
        out.position(VENDOR_OFFSET);
        out.put(EfiSystemTable.vendorString(FIRMWARE_VENDOR));
        out.position(CONFIG_OFFSET);
        new EfiConfigurationTable(EfiGuid.ACPI_20_TABLE_GUID, rsdpAddress).writeTo(out);
        new EfiConfigurationTable(EfiGuid.EFI_RT_PROPERTIES_TABLE_GUID, base + RT_PROPERTIES_OFFSET).writeTo(out);
        EfiRtPropertiesTable.none().writeTo(out);
        out.position(MEMORY_MAP_OFFSET);
        out.put(memoryMap.toBytes());
        return new Result(out.array(), base, base + MEMORY_MAP_OFFSET, memoryMap.size());
    }

    private static int align(int v) {
        return (v + ALIGN - 1) & -ALIGN;
    }
}
