package dev.linuxvm.engine.acpi;

/** A guest physical range, e.g. one RAM range for SRAT memory affinity. */
public record MemoryRange(long base, long length) {
    public MemoryRange {
        if (base < 0 || length <= 0) {
            throw new AcpiException("memory range base 0x" + Long.toHexString(base) + " length 0x"
                    + Long.toHexString(length) + ": base must be >= 0 and length > 0");
        }
        Math.addExact(base, length);
    }
}
