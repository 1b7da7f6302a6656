package dev.linuxvm.engine.acpi;

/**
 * The System Description Table Header every table but the RSDP starts with (ACPI 6.5 section
 * 5.2.6, Table 5.4; 36 bytes): Signature, Length, Revision, Checksum, OEMID, OEM Table ID,
 * OEM Revision, Creator ID, Creator Revision. Tables write it first with length and checksum
 * zero and call {@link #seal} last, which fills both.
 *
 * <p>Identity written into every table (the kernel prints it, e.g.
 * {@code ACPI: FACP 0x... 000114 (v06 LNXVM  LINUXVM  00000001 LNXV 00000001)}): OEMID
 * {@value #OEM_ID} (6 chars), OEM Table ID {@value #OEM_TABLE_ID}, OEM Revision 1, Creator ID
 * {@value #CREATOR_ID} (this engine, not an ASL compiler), Creator Revision 1.
 */
public final class SdtHeader {
    private SdtHeader() {
    }

    /** Header size in bytes. */
    public static final int SIZE = 36;
    /** Offset of the 32-bit Length field. */
    public static final int LENGTH_OFFSET = 4;
    /** Offset of the Checksum byte. */
    public static final int CHECKSUM_OFFSET = 9;
    /** OEMID, 6 characters. */
    public static final String OEM_ID = "LNXVM ";
    /** OEM Table ID, 8 characters. */
    public static final String OEM_TABLE_ID = "LINUXVM ";
    /** OEM Revision. */
    public static final int OEM_REVISION = 1;
    /** Creator ID, 4 characters. */
    public static final String CREATOR_ID = "LNXV";
    /** Creator Revision. */
    public static final int CREATOR_REVISION = 1;

    /** Writes the header with Length and Checksum zero. */
    public static void write(TableWriter w, String signature, int revision) {
        if (signature.length() != 4) {
            throw new AcpiException("ACPI signature '" + signature + "' must have 4 characters");
        }
        w.ascii(signature, 4)          // Signature
                .u32(0)                 // Length (sealed later)
                .u8(revision)           // Revision
                .u8(0)                  // Checksum (sealed later)
                .ascii(OEM_ID, 6)       // OEMID
                .ascii(OEM_TABLE_ID, 8) // OEM Table ID
                .u32(OEM_REVISION)      // OEM Revision
                .ascii(CREATOR_ID, 4)   // Creator ID
                .u32(CREATOR_REVISION); // Creator Revision
    }

    /** Fills Length with the table size and then the Checksum so that all bytes sum to zero. */
    public static byte[] seal(TableWriter w) {
        byte[] table = w.toByteArray();
        TableWriter.putU32(table, LENGTH_OFFSET, table.length);
        TableWriter.putChecksum(table, 0, table.length, CHECKSUM_OFFSET);
        return table;
    }
}
