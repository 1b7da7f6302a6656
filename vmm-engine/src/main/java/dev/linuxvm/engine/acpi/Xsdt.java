package dev.linuxvm.engine.acpi;

import java.util.List;

/**
 * Extended System Description Table (ACPI 6.5 section 5.2.8, Table 5.8): the header, then one
 * 64-bit physical address per table (every table but the DSDT, which the FADT points at, and
 * the RSDP). Size 36 + 8 * entries.
 */
public record Xsdt(List<Long> entries) implements AcpiTable {
    /** Revision 1 (the only one defined). */
    public static final int REVISION = 1;
    /** Bytes per entry. */
    public static final int ENTRY_SIZE = 8;

    public Xsdt {
        entries = List.copyOf(entries);
    }

    public static int size(int entryCount) {
        return SdtHeader.SIZE + ENTRY_SIZE * entryCount;
    }

    @Override
    public String signature() {
        return "XSDT";
    }

    @Override
    public byte[] toBytes() {
        TableWriter w = new TableWriter();
        SdtHeader.write(w, signature(), REVISION);
        for (long address : entries) {
            w.u64(address); // Entry: table address
        }
        return SdtHeader.seal(w);
    }
}
