package dev.linuxvm.engine.acpi;

/**
 * Processor Local APIC Structure (ACPI 6.5 section 5.2.12.2, Table 5.23; type 0, 8 bytes):
 * ACPI Processor UID, APIC ID, Flags (bit 0 Enabled, bit 1 Online Capable).
 */
public record LocalApic(int acpiProcessorUid, int apicId, boolean enabled) implements MadtEntry {
    public static final int TYPE = 0;
    public static final int SIZE = 8;
    /** Flags bit 0: Enabled. */
    public static final int ENABLED = 1;

    @Override
    public void write(TableWriter w) {
        w.u8(TYPE).u8(SIZE)
                .u8(acpiProcessorUid)       // ACPI Processor UID
                .u8(apicId)                 // APIC ID
                .u32(enabled ? ENABLED : 0); // Flags
    }

    @Override
    public int size() {
        return SIZE;
    }
}
