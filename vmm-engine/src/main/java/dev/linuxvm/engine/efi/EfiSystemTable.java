package dev.linuxvm.engine.efi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * {@code EFI_SYSTEM_TABLE} (UEFI 2.10, section 4.3), 64-bit layout. linuxvm has no firmware
 * behind it: console handles and protocols, RuntimeServices and BootServices are all null;
 * the kernel only reads the header, the vendor string and the configuration table.
 *
 * @param FirmwareVendor       address of a NUL-terminated UTF-16 string ({@link #vendorString})
 * @param FirmwareRevision     vendor-defined firmware revision
 * @param NumberOfTableEntries entries in the configuration table
 * @param ConfigurationTable   address of the {@link EfiConfigurationTable} array
 */
public record EfiSystemTable(long FirmwareVendor, int FirmwareRevision, long NumberOfTableEntries,
                             long ConfigurationTable) {
    /** sizeof(EFI_SYSTEM_TABLE) on a 64-bit machine. */
    public static final int SIZE = 120;
    /** Section 4.3: EFI_SYSTEM_TABLE_SIGNATURE, "IBI SYST" as a little-endian UINT64. */
    public static final long EFI_SYSTEM_TABLE_SIGNATURE = 0x5453595320494249L;
    /** Section 4.3: EFI_2_70_SYSTEM_TABLE_REVISION ((2 << 16) | 70); the kernel prints "EFI v2.70". */
    public static final int EFI_2_70_SYSTEM_TABLE_REVISION = (2 << 16) | 70;

    /** Serialises the table with its header's CRC32 computed over all {@link #SIZE} bytes. */
    public byte[] toBytes() {
        byte[] table = serialise(0);
        CRC32 crc = new CRC32(); // the CRC-32 of section 4.2 is the IEEE 802.3 one java.util.zip computes
        crc.update(table);
        return serialise((int) crc.getValue());
    }

    private byte[] serialise(int crc32) {
        ByteBuffer out = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        new EfiTableHeader(EFI_SYSTEM_TABLE_SIGNATURE, EFI_2_70_SYSTEM_TABLE_REVISION, SIZE, crc32, 0).writeTo(out);
        out.putLong(FirmwareVendor);     // CHAR16 *FirmwareVendor
        out.putInt(FirmwareRevision);    // UINT32 FirmwareRevision
        out.putInt(0);                   // padding to the next UINTN
        out.putLong(0);                  // EFI_HANDLE ConsoleInHandle
        out.putLong(0);                  // EFI_SIMPLE_TEXT_INPUT_PROTOCOL *ConIn
        out.putLong(0);                  // EFI_HANDLE ConsoleOutHandle
        out.putLong(0);                  // EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *ConOut
        out.putLong(0);                  // EFI_HANDLE StandardErrorHandle
        out.putLong(0);                  // EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *StdErr
        out.putLong(0);                  // EFI_RUNTIME_SERVICES *RuntimeServices
        out.putLong(0);                  // EFI_BOOT_SERVICES *BootServices
        out.putLong(NumberOfTableEntries); // UINTN NumberOfTableEntries
        out.putLong(ConfigurationTable); // EFI_CONFIGURATION_TABLE *ConfigurationTable
        return out.array();
    }

    /** A NUL-terminated UTF-16LE string (CHAR16, section 2.3.1) for {@code FirmwareVendor}. */
    public static byte[] vendorString(String vendor) {
        ByteBuffer out = ByteBuffer.allocate(2 * (vendor.length() + 1)).order(ByteOrder.LITTLE_ENDIAN);
        for (char c : vendor.toCharArray()) {
            out.putChar(c);
        }
        out.putChar('\0');
        return out.array();
    }

    static void requireLittleEndian(ByteBuffer b) {
        if (b.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("EFI structures are little-endian");
        }
    }
}
