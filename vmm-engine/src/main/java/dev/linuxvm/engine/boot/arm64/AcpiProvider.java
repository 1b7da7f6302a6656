package dev.linuxvm.engine.boot.arm64;

import dev.linuxvm.engine.VmmException.Kind;
import java.util.Map;

/**
 * Supplies the ACPI tables for ACPI mode. The tables hold absolute pointers (RSDP → XSDT →
 * tables), so the provider builds them for the address they will live at.
 */
@FunctionalInterface
public interface AcpiProvider {
    /** Builds the tables for {@code request.baseAddress()}; the blob must fit {@code request.maxSize()}. */
    AcpiTables build(Request request);

    /**
     * What the tables must describe and where they go.
     *
     * @param baseAddress guest physical address of the blob's first byte (4 KiB aligned)
     * @param maxSize     bytes available at that address
     * @param cpus        vCPUs (GICC entries; MPIDRs from {@link Arm64Layout#mpidr})
     * @param ramBase     start of RAM
     * @param ramSize     RAM bytes
     */
    record Request(long baseAddress, long maxSize, int cpus, long ramBase, long ramSize) {
    }

    /**
     * The tables as one blob.
     *
     * @param blob       every table, as they sit in memory from the base address on
     * @param rsdpOffset where the RSDP is inside {@code blob}
     * @param artifacts  per-table copies by file name ("DSDT.aml") for reports and iasl; may be empty
     */
    record AcpiTables(byte[] blob, long rsdpOffset, Map<String, byte[]> artifacts) {
        public AcpiTables {
            if (rsdpOffset < 0 || rsdpOffset >= blob.length) {
                throw new Arm64BootException(Kind.INTERNAL, "ACPI tables: RSDP offset " + rsdpOffset + " is outside the "
                        + blob.length + "-byte blob");
            }
            artifacts = Map.copyOf(artifacts);
        }
    }
}
