package dev.linuxvm.engine.acpi;

import java.util.List;

/**
 * System Resource Affinity Table (ACPI 6.5 section 5.2.16, Table 5.58), revision 3: the header,
 * Reserved (32, must be 1 for backward compatibility), Reserved (64), then affinity structures.
 */
public record Srat(List<SratEntry> entries) implements AcpiTable {
    public static final int REVISION = 3;
    /** Bytes before the first structure. */
    public static final int FIXED_SIZE = SdtHeader.SIZE + 12;

    public Srat {
        entries = List.copyOf(entries);
    }

    @Override
    public String signature() {
        return "SRAT";
    }

    @Override
    public byte[] toBytes() {
        TableWriter w = new TableWriter();
        SdtHeader.write(w, signature(), REVISION);
        w.u32(1)        // Reserved: 1 for backward compatibility
                .u64(0); // Reserved
        for (SratEntry e : entries) {
            e.write(w);
        }
        return SdtHeader.seal(w);
    }
}
