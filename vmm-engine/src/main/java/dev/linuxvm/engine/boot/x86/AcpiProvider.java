package dev.linuxvm.engine.boot.x86;

import java.util.Map;
import java.util.Objects;

/**
 * The hook through which the ACPI table builder (package {@code dev.linuxvm.engine.acpi})
 * supplies its tables to {@link X86GuestBuilder}: the builder tells it where the tables and
 * the RSDP go and how the machine looks; the provider returns the bytes.
 */
@FunctionalInterface
public interface AcpiProvider {
    /** No ACPI at all: the kernel runs without tables ("ACPI: no RSDP"); the regions stay unused. */
    AcpiProvider NONE = request -> null;

    /** Returns the tables for {@code request}, or {@code null} for none. */
    AcpiBlobs build(Request request);

    /**
     * What the tables must describe and where they go.
     *
     * @param tablesAddress  where the tables blob is placed ({@link X86Layout#ACPI_TABLES_START})
     * @param tablesMaxSize  bytes available there
     * @param rsdpAddress    where the RSDP is placed ({@link X86Layout#RSDP_START})
     * @param cpus           vCPUs (one MADT local APIC each)
     * @param ramSize        guest RAM in bytes (SRAT memory affinity)
     */
    record Request(long tablesAddress, long tablesMaxSize, long rsdpAddress, int cpus, long ramSize) {
    }

    /**
     * The provider's output. The RSDP's XSDT address must point into {@code tables}, which is
     * placed at {@link Request#tablesAddress()}.
     *
     * @param tables  XSDT, FADT, DSDT, MADT, ... concatenated as they go into guest memory
     * @param rsdp    the RSDP (36 bytes for ACPI 2.0+)
     * @param artifacts  tables by file name ("DSDT.aml"), copied into the GuestImage's artifacts
     */
    record AcpiBlobs(byte[] tables, byte[] rsdp, Map<String, byte[]> artifacts) {
        public AcpiBlobs {
            Objects.requireNonNull(tables, "tables");
            Objects.requireNonNull(rsdp, "rsdp");
            artifacts = Map.copyOf(artifacts);
        }

        public AcpiBlobs(byte[] tables, byte[] rsdp) {
            this(tables, rsdp, Map.of());
        }
    }
}
