package dev.linuxvm.engine.acpi.aml;

/**
 * A compressed EISA id as ASL's {@code EisaId("PNP0501")} produces (ACPI 6.5 section 19.6.35):
 * three upper-case letters packed 5 bits each ('A' = 1) into bits 14-0 of a big-endian word,
 * then four hex digits as a big-endian word; the resulting 32-bit value is stored byte-swapped,
 * so {@code PNP0501} is the DWord 0x0105D041 (bytes 41 D0 05 01).
 */
public record EisaId(String id) implements Aml {
    public EisaId {
        if (id == null || !id.matches("[A-Z]{3}[0-9A-F]{4}")) {
            throw new AmlException("EISA id '" + id + "': expected 3 upper-case letters and 4 upper-case hex digits, "
                    + "like PNP0501");
        }
    }

    public static EisaId of(String id) {
        return new EisaId(id);
    }

    /** The 32-bit value as AML stores it (byte-swapped compressed id). */
    public long value() {
        int vendor = ((id.charAt(0) - 0x40) << 10) | ((id.charAt(1) - 0x40) << 5) | (id.charAt(2) - 0x40);
        int product = Integer.parseInt(id.substring(3), 16);
        int bigEndian = (vendor << 16) | product;
        return Integer.reverseBytes(bigEndian) & 0xFFFF_FFFFL;
    }

    @Override
    public void emit(AmlSink sink) {
        AmlInteger.of(value()).emit(sink);
    }
}
