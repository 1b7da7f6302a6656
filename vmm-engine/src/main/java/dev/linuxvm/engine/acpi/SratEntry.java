package dev.linuxvm.engine.acpi;

/** One Static Resource Affinity Structure of the SRAT (ACPI 6.5 section 5.2.16): Type, Length, ... */
public interface SratEntry {
    void write(TableWriter w);

    int size();
}
