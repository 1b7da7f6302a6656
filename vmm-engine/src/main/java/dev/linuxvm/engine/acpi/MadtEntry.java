package dev.linuxvm.engine.acpi;

/**
 * One Interrupt Controller Structure of the MADT (ACPI 6.5 section 5.2.12, Table 5.21): each
 * starts with Type (1 byte) and Length (1 byte).
 */
public interface MadtEntry {
    /** Appends this structure, Type and Length included. */
    void write(TableWriter w);

    /** Size in bytes, Type and Length included. */
    int size();
}
