package dev.linuxvm.engine.acpi;

/**
 * Root System Description Pointer, ACPI 2.0+ form (ACPI 6.5 section 5.2.5.3, Table 5.3; 36
 * bytes): Signature "RSD PTR ", Checksum (first 20 bytes), OEMID, Revision 2, RsdtAddress
 * (0: no RSDT, the kernel uses the XSDT), Length, XsdtAddress, Extended Checksum (all 36 bytes),
 * Reserved. Not an {@link AcpiTable}: no SDT header; the caller places it (x86: 0xE0000 where
 * the kernel's BIOS-area scan finds it; arm64: referenced from the EFI configuration table).
 */
public record Rsdp(long xsdtAddress) {
    /** Size in bytes. */
    public static final int SIZE = 36;
    /** Bytes covered by the ACPI 1.0 checksum. */
    public static final int V1_LENGTH = 20;
    /** Offset of Checksum. */
    public static final int CHECKSUM_OFFSET = 8;
    /** Offset of Extended Checksum. */
    public static final int EXTENDED_CHECKSUM_OFFSET = 32;
    /** Revision 2: ACPI 2.0 and later. */
    public static final int REVISION = 2;

    public byte[] toBytes() {
        TableWriter w = new TableWriter()
                .ascii("RSD PTR ", 8)         // Signature
                .u8(0)                         // Checksum (below)
                .ascii(SdtHeader.OEM_ID, 6)    // OEMID
                .u8(REVISION)                  // Revision
                .u32(0)                        // RsdtAddress: none
                .u32(SIZE)                     // Length
                .u64(xsdtAddress)              // XsdtAddress
                .u8(0)                         // Extended Checksum (below)
                .zeros(3);                     // Reserved
        byte[] b = w.toByteArray();
        TableWriter.putChecksum(b, 0, V1_LENGTH, CHECKSUM_OFFSET);
        TableWriter.putChecksum(b, 0, SIZE, EXTENDED_CHECKSUM_OFFSET);
        return b;
    }
}
