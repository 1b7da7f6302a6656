package dev.linuxvm.engine.boot.arm64;

import dev.linuxvm.engine.boot.AcpiProvider;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Test stand-in for the real ACPI tables: an RSDP (ACPI 6.5, 5.2.5.3) pointing at an XSDT
 * (5.2.8) with no entries, checksums valid. Enough to check placement and pointers.
 */
final class MinimalAcpi implements AcpiProvider {
    static final int RSDP_SIZE = 36;
    static final int XSDT_SIZE = 36;

    @Override
    public AcpiTables build(Request request) {
        ByteBuffer b = ByteBuffer.allocate(RSDP_SIZE + XSDT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        long xsdt = request.tablesAddress(); // the tables start with the XSDT; the RSDP is returned apart
        b.put("RSD PTR ".getBytes(StandardCharsets.US_ASCII)); // Signature
        b.put((byte) 0);                                       // Checksum (first 20 bytes)
        b.put("LINUXV".getBytes(StandardCharsets.US_ASCII));   // OEMID
        b.put((byte) 2);                                       // Revision: ACPI 2.0+
        b.putInt(0);                                           // RsdtAddress
        b.putInt(RSDP_SIZE);                                   // Length
        b.putLong(xsdt);                                       // XsdtAddress
        b.put((byte) 0);                                       // Extended Checksum
        b.put(new byte[3]);                                    // Reserved
        b.put("XSDT".getBytes(StandardCharsets.US_ASCII));     // Signature
        b.putInt(XSDT_SIZE);                                   // Length
        b.put((byte) 1);                                       // Revision
        b.put((byte) 0);                                       // Checksum
        b.put("LINUXV".getBytes(StandardCharsets.US_ASCII));   // OEMID
        b.put("LINUXVM ".getBytes(StandardCharsets.US_ASCII)); // OEM Table ID
        b.putInt(1);                                           // OEM Revision
        b.put("LNXV".getBytes(StandardCharsets.US_ASCII));     // Creator ID
        b.putInt(1);                                           // Creator Revision
        byte[] out = b.array();
        out[8] = checksum(out, 0, 20);
        out[32] = checksum(out, 0, RSDP_SIZE);
        out[RSDP_SIZE + 9] = checksum(out, RSDP_SIZE, XSDT_SIZE);
        byte[] xsdtBytes = Arrays.copyOfRange(out, RSDP_SIZE, out.length);
        return new AcpiTables(xsdtBytes, Arrays.copyOf(out, RSDP_SIZE), Map.of("XSDT.aml", xsdtBytes));
    }

    private static byte checksum(byte[] b, int off, int len) {
        int sum = 0;
        for (int i = off; i < off + len; i++) {
            sum += b[i];
        }
        return (byte) -sum;
    }
}
