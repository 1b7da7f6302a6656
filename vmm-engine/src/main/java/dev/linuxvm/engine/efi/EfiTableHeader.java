package dev.linuxvm.engine.efi;

import java.nio.ByteBuffer;

/**
 * {@code EFI_TABLE_HEADER} (UEFI 2.10, section 4.2), the common header of the system, boot
 * services and runtime services tables.
 *
 * @param Signature  64-bit table signature
 * @param Revision   spec revision the table conforms to, major in the upper 16 bits
 * @param HeaderSize size of the entire table including this header
 * @param CRC32      CRC-32 of {@code HeaderSize} bytes computed with this field zero
 * @param Reserved   must be zero
 */
public record EfiTableHeader(long Signature, int Revision, int HeaderSize, int CRC32, int Reserved) {
    public static final int SIZE = 24;

    /** Writes the header little-endian; the buffer must be little-endian. */
    public void writeTo(ByteBuffer out) {
        EfiSystemTable.requireLittleEndian(out);
        out.putLong(Signature);
        out.putInt(Revision);
        out.putInt(HeaderSize);
        out.putInt(CRC32);
        out.putInt(Reserved);
    }
}
