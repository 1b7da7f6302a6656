package dev.linuxvm.engine.acpi;

import dev.linuxvm.engine.MemoryRegion;
import java.util.List;

/**
 * Tables placed by {@link AcpiTableSet#layout}: each table with its address, the XSDT address,
 * and the RSDP bytes, which the caller stores where the guest looks for them.
 *
 * @param tables      DSDT, FACP, the other tables, XSDT, in address order
 * @param xsdtAddress where the XSDT is (the RSDP points here)
 * @param rsdp        the 36-byte RSDP; not part of {@link #blob()}
 * @param start       the first table's address (the base passed to layout)
 * @param end         first address past the last table
 */
public record AcpiLayout(List<PlacedTable> tables, long xsdtAddress, byte[] rsdp, long start, long end) {
    public AcpiLayout {
        tables = List.copyOf(tables);
    }

    /** All tables as one byte array from {@link #start} to {@link #end} (alignment gaps zero). */
    public byte[] blob() {
        byte[] out = new byte[Math.toIntExact(end - start)];
        for (PlacedTable t : tables) {
            System.arraycopy(t.bytes(), 0, out, (int) (t.address() - start), t.bytes().length);
        }
        return out;
    }

    /** The tables as one memory region (x86: mark it ACPI in e820; arm64: EfiACPIReclaimMemory). */
    public MemoryRegion region(String name) {
        return MemoryRegion.of(name, start, blob());
    }

    /** The table with this signature. */
    public PlacedTable table(String signature) {
        return tables.stream().filter(t -> t.signature().equals(signature)).findFirst()
                .orElseThrow(() -> new AcpiException("no " + signature + " table in this layout"));
    }
}
