package dev.linuxvm.engine.efi;

import java.nio.ByteBuffer;

/**
 * One {@code EFI_CONFIGURATION_TABLE} entry (UEFI 2.10, section 4.6): a vendor GUID and a
 * pointer to the table it names.
 *
 * @param VendorGuid  which table this is
 * @param VendorTable guest physical address of the table
 */
public record EfiConfigurationTable(EfiGuid VendorGuid, long VendorTable) {
    /** 16-byte GUID + 64-bit pointer. */
    public static final int SIZE = 24;

    public void writeTo(ByteBuffer out) {
        EfiSystemTable.requireLittleEndian(out);
        VendorGuid.writeTo(out);
        out.putLong(VendorTable);
    }
}
