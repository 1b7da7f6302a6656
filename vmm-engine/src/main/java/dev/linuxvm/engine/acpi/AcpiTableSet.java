package dev.linuxvm.engine.acpi;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A FADT, a DSDT and further tables, laid out from a base address. Every table's size is
 * independent of addresses, so one pass places them: DSDT, FACP (with X_DSDT set to the DSDT's
 * address), the other tables in the given order, then the XSDT listing FACP and the others; the
 * RSDP points at the XSDT. Each table starts at a multiple of {@value #ALIGNMENT}.
 */
public final class AcpiTableSet {
    /** Alignment of each table's start address. */
    public static final int ALIGNMENT = 16;

    private final Fadt fadt;
    private final AcpiTable dsdt;
    private final List<AcpiTable> others;

    public AcpiTableSet(Fadt fadt, AcpiTable dsdt, List<AcpiTable> others) {
        this.fadt = fadt;
        this.dsdt = dsdt;
        this.others = List.copyOf(others);
        if (!dsdt.signature().equals("DSDT")) {
            throw new AcpiException("the DSDT slot holds a " + dsdt.signature() + " table; pass the DSDT");
        }
        Set<String> seen = new LinkedHashSet<>(List.of("FACP", "DSDT", "XSDT"));
        for (AcpiTable t : this.others) {
            if (!seen.add(t.signature())) {
                throw new AcpiException("ACPI table " + t.signature()
                        + " given twice (or clashes with FACP/DSDT/XSDT, which the set builds itself)");
            }
        }
    }

    /** Places all tables from {@code base} (which must be {@value #ALIGNMENT}-byte aligned). */
    public AcpiLayout layout(long base) {
        if (base < 0 || base % ALIGNMENT != 0) {
            throw new AcpiException("ACPI table base 0x" + Long.toHexString(base) + " must be a non-negative multiple of "
                    + ALIGNMENT);
        }
        List<PlacedTable> placed = new ArrayList<>();
        long next = base;
        PlacedTable dsdtPlaced = place(dsdt, next);
        placed.add(dsdtPlaced);
        next = align(dsdtPlaced.end());
        PlacedTable fadtPlaced = place(fadt.withDsdt(dsdtPlaced.address()), next);
        placed.add(fadtPlaced);
        next = align(fadtPlaced.end());
        List<Long> xsdtEntries = new ArrayList<>();
        xsdtEntries.add(fadtPlaced.address());
        for (AcpiTable t : others) {
            PlacedTable p = place(t, next);
            placed.add(p);
            xsdtEntries.add(p.address());
            next = align(p.end());
        }
        PlacedTable xsdt = place(new Xsdt(xsdtEntries), next);
        placed.add(xsdt);
        return new AcpiLayout(placed, xsdt.address(), new Rsdp(xsdt.address()).toBytes(), base, xsdt.end());
    }

    private static PlacedTable place(AcpiTable table, long address) {
        return new PlacedTable(table.signature(), table.fileName(), address, table.toBytes());
    }

    private static long align(long address) {
        return Math.addExact(address, ALIGNMENT - 1) & -ALIGNMENT;
    }
}
