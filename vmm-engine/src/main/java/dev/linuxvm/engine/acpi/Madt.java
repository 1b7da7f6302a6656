package dev.linuxvm.engine.acpi;

import java.util.List;

/**
 * Multiple APIC Description Table, signature "APIC" (ACPI 6.5 section 5.2.12, Table 5.20),
 * revision 5: the header, Local Interrupt Controller Address (32), Flags (bit 0 PCAT_COMPAT),
 * then the interrupt controller structures.
 */
public record Madt(long localInterruptControllerAddress, int flags, List<MadtEntry> entries) implements AcpiTable {
    /** Revision 5 (ACPI 6.3, whose GICC is 80 bytes). */
    public static final int REVISION = 5;
    /** Bytes before the first structure. */
    public static final int FIXED_SIZE = SdtHeader.SIZE + 8;
    /** Flags bit 0: PCAT_COMPAT, dual 8259s are present (x86: Linux then masks them). */
    public static final int PCAT_COMPAT = 1;

    public Madt {
        entries = List.copyOf(entries);
    }

    @Override
    public String signature() {
        return "APIC";
    }

    @Override
    public byte[] toBytes() {
        TableWriter w = new TableWriter();
        SdtHeader.write(w, signature(), REVISION);
        w.u32(localInterruptControllerAddress) // Local Interrupt Controller Address
                .u32(flags);                   // Flags
        for (MadtEntry e : entries) {
            int before = w.position();
            e.write(w);
            if (w.position() - before != e.size()) {
                throw new IllegalStateException(e + " wrote " + (w.position() - before) + " bytes, not " + e.size());
            }
        }
        return SdtHeader.seal(w);
    }
}
