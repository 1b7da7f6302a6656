package dev.linuxvm.engine.boot;

import dev.linuxvm.engine.DataPort;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The hook through which the ACPI table builder (package {@code dev.linuxvm.engine.acpi})
 * supplies its tables to either architecture's guest builder: the builder says where the tables
 * go and how the machine looks; the provider returns the bytes. The tables hold absolute pointers
 * (RSDP → XSDT → tables), so they are built for the address they will live at; the RSDP's own
 * address does not enter its bytes, so each builder places it where its platform wants it
 * (x86_64: 0xE0000, where the kernel scans; aarch64: after the tables, found through EFI).
 */
@FunctionalInterface
public interface AcpiProvider {
    /** No ACPI at all (x86_64 only): the kernel runs without tables ("ACPI: no RSDP"). */
    AcpiProvider NONE = request -> null;

    /** Returns the tables for {@code request}, or {@code null} for none. */
    AcpiTables build(Request request);

    /**
     * What the tables must describe and where they go.
     *
     * @param tablesAddress guest physical address of the tables' first byte (4 KiB aligned)
     * @param tablesMaxSize bytes available there
     * @param cpus          vCPUs (x86: MADT local APICs; arm64: GICC entries)
     * @param ramBase       start of RAM
     * @param ramSize       RAM bytes
     * @param dataPort      the data port's virtio-mmio transport, which the DSDT must describe, if any
     */
    record Request(long tablesAddress, long tablesMaxSize, int cpus, long ramBase, long ramSize,
                   Optional<DataPort> dataPort) {
        public Request {
            Objects.requireNonNull(dataPort, "dataPort");
        }

        /** A request for a guest without a data port. */
        public Request(long tablesAddress, long tablesMaxSize, int cpus, long ramBase, long ramSize) {
            this(tablesAddress, tablesMaxSize, cpus, ramBase, ramSize, Optional.empty());
        }
    }

    /**
     * The provider's output.
     *
     * @param tables    XSDT, FADT, DSDT, MADT, ... as they sit in memory from {@link Request#tablesAddress()}
     * @param rsdp      the RSDP (36 bytes for ACPI 2.0+), whose XSDT address points into {@code tables}
     * @param artifacts tables by file name ("DSDT.aml"), copied into the GuestImage's artifacts; may be empty
     */
    record AcpiTables(byte[] tables, byte[] rsdp, Map<String, byte[]> artifacts) {
        public AcpiTables {
            Objects.requireNonNull(tables, "tables");
            Objects.requireNonNull(rsdp, "rsdp");
            artifacts = Map.copyOf(artifacts);
        }

        public AcpiTables(byte[] tables, byte[] rsdp) {
            this(tables, rsdp, Map.of());
        }
    }
}
