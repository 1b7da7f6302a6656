package dev.linuxvm.engine.acpi;

/**
 * I/O APIC Structure (ACPI 6.5 section 5.2.12.3, Table 5.24; type 1, 12 bytes): I/O APIC ID,
 * Reserved, I/O APIC Address (32), Global System Interrupt Base (32).
 */
public record IoApic(int ioApicId, long ioApicAddress, long globalSystemInterruptBase) implements MadtEntry {
    public static final int TYPE = 1;
    public static final int SIZE = 12;

    @Override
    public void write(TableWriter w) {
        w.u8(TYPE).u8(SIZE)
                .u8(ioApicId)                   // I/O APIC ID
                .u8(0)                          // Reserved
                .u32(ioApicAddress)             // I/O APIC Address
                .u32(globalSystemInterruptBase); // Global System Interrupt Base
    }

    @Override
    public int size() {
        return SIZE;
    }
}
