package dev.linuxvm.engine.acpi;

/**
 * A complete system description table: its 4-character signature and its bytes (header
 * included, checksum valid). Tables whose contents point at other tables (FADT to DSDT, XSDT to
 * all) take those addresses as parameters; {@link AcpiTableSet} supplies them.
 */
public interface AcpiTable {
    String signature();

    byte[] toBytes();

    /**
     * File name for reports and for {@code iasl -d}: definition blocks as {@code .aml}
     * ({@code DSDT.aml}), data tables as {@code .dat} ({@code APIC.dat}).
     */
    default String fileName() {
        return signature() + ".dat";
    }
}
