package dev.linuxvm.engine.acpi;

import dev.linuxvm.engine.acpi.aml.Aml;
import dev.linuxvm.engine.acpi.aml.AmlBytes;
import java.util.List;

/**
 * Differentiated System Description Table (ACPI 6.5 section 5.2.11.1): the header, then an AML
 * TermList. Revision 2 makes AML integers 64-bit.
 */
public record Dsdt(List<Aml> terms) implements AcpiTable {
    public static final int REVISION = 2;

    public Dsdt {
        terms = List.copyOf(terms);
    }

    public static Dsdt of(Aml... terms) {
        return new Dsdt(List.of(terms));
    }

    @Override
    public String signature() {
        return "DSDT";
    }

    @Override
    public String fileName() {
        return "DSDT.aml";
    }

    @Override
    public byte[] toBytes() {
        TableWriter w = new TableWriter();
        SdtHeader.write(w, signature(), REVISION);
        w.bytes(AmlBytes.of(terms.toArray(Aml[]::new)));
        return SdtHeader.seal(w);
    }
}
