package dev.linuxvm.engine.acpi;

/** A table at its guest physical address, with the file name used in reports ({@code APIC.dat}). */
public record PlacedTable(String signature, String fileName, long address, byte[] bytes) {
    public long end() {
        return address + bytes.length;
    }
}
