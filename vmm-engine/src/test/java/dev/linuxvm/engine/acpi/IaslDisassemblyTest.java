package dev.linuxvm.engine.acpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.DataPort;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every table we emit, for both architectures, disassembled by ACPICA's {@code iasl -d}. The
 * RSDP is not a table iasl 20200925 disassembles on its own ("does not contain a valid ACPI
 * table"); its checksums and fields are pinned in {@link AcpiStructureTest}.
 */
class IaslDisassemblyTest {
    @TempDir
    Path dir;

    static final List<MemoryRange> RAM = List.of(new MemoryRange(0, 0xA0000), new MemoryRange(0x10_0000, 0x1FF0_0000));

    private static boolean iaslAvailable() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(p -> Files.isExecutable(Path.of(p, "iasl")));
    }

    /** Runs {@code iasl -d} on one table and returns the .dsl text after checking the output. */
    private String disassemble(PlacedTable table) throws IOException, InterruptedException {
        Path file = dir.resolve(table.fileName());
        Files.write(file, table.bytes());
        Process p = new ProcessBuilder("iasl", "-d", file.getFileName().toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("iasl finished").isTrue();
        assertThat(p.exitValue()).as("iasl -d %s exit status; output:%n%s", table.fileName(), out).isZero();
        assertThat(out.lines().filter(l -> l.toLowerCase().contains("error")))
                .as("iasl -d %s error lines; output:%n%s", table.fileName(), out).isEmpty();
        assertThat(out.lines().filter(l -> l.toLowerCase().contains("checksum")))
                .as("iasl -d %s checksum warnings; output:%n%s", table.fileName(), out).isEmpty();
        String base = table.fileName().substring(0, table.fileName().lastIndexOf('.'));
        String dsl = Files.readString(dir.resolve(base + ".dsl"));
        assertThat(dsl.lines().filter(l -> l.toLowerCase().contains("error") || l.contains("Invalid")
                || l.contains("**** Unknown")))
                .as("%s.dsl error lines:%n%s", base, dsl).isEmpty();
        return dsl;
    }

    private String dsl(AcpiLayout layout, String signature) throws Exception {
        return disassemble(layout.table(signature));
    }

    @Test
    void every_x86_table_disassembles_cleanly() throws Exception {
        assumeTrue(iaslAvailable(), "iasl not on PATH: install acpica-tools (apt-get install acpica-tools)");
        AcpiLayout layout = X86AcpiTables.tableSet(X86AcpiParams.defaults(2, RAM), Hpet.qemu()).layout(0x000F_0000L - 0x1000);
        for (PlacedTable t : layout.tables()) {
            disassemble(t);
        }
        assertThat(dsl(layout, "DSDT")).contains("PNP0501").contains("_S5_").contains("IO (Decode16,")
                .contains("0x03F8").contains("IRQNoFlags ()");
        assertThat(dsl(layout, "FACP")).containsPattern("Hardware Reduced \\(V5\\) : 1")
                .containsPattern("PM1A Control Block Address : 00000000")
                .containsPattern("(?s)Sleep Control Register : .{0,300}?SystemIO.{0,300}?Address : 0000000000000604")
                .containsPattern("(?s)Sleep Status Register : .{0,300}?SystemIO.{0,300}?Address : 0000000000000600")
                .containsPattern("SCI Interrupt : 0009")
                .containsPattern("Address : 0000000000000CF9")
                .containsPattern("Value to cause reset : 06")
                .containsPattern("Reset Register Supported \\(V2\\) : 1");
        assertThat(dsl(layout, "APIC")).contains("Processor Local APIC").contains("I/O APIC")
                .contains("Interrupt Source Override").contains("FEC00000");
        assertThat(dsl(layout, "SRAT")).contains("Memory Affinity").contains("Processor Local APIC/SAPIC Affinity");
        assertThat(dsl(layout, "SPCR")).contains("Interface Type : 00");
        assertThat(dsl(layout, "XSDT")).contains("ACPI Table Address   4");
        assertThat(dsl(layout, "HPET")).contains("Hardware Block ID : 8086A201").contains("00000000FED00000");
    }

    @Test
    void every_arm64_table_disassembles_cleanly() throws Exception {
        assumeTrue(iaslAvailable(), "iasl not on PATH: install acpica-tools (apt-get install acpica-tools)");
        AcpiLayout layout = Arm64AcpiTables.tableSet(Arm64AcpiParams.qemuVirt(2)).layout(0x4010_0000L);
        for (PlacedTable t : layout.tables()) {
            disassemble(t);
        }
        assertThat(dsl(layout, "DSDT")).contains("ARMH0011").contains("Memory32Fixed (ReadWrite,")
                .contains("0x09000000").contains("Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )")
                .contains("0x00000021");
        assertThat(dsl(layout, "FACP")).containsPattern("Hardware Reduced \\(V5\\) : 1")
                .containsPattern("PSCI Compliant : 1").containsPattern("Must use HVC for PSCI : 1");
        assertThat(dsl(layout, "APIC")).contains("Generic Interrupt Controller").contains("Generic Interrupt Distributor")
                .contains("Generic Interrupt Redistributor").contains("0000000008000000").contains("00000000080A0000");
        assertThat(dsl(layout, "GTDT")).contains("Virtual Timer Interrupt : 0000001B");
        assertThat(dsl(layout, "SPCR")).contains("Interface Type : 03").contains("0000000009000000");
    }

    @Test
    void the_data_port_is_a_virtio_mmio_device_in_either_dsdt_and_absent_without_it() throws Exception {
        assumeTrue(iaslAvailable(), "iasl not on PATH: install acpica-tools (apt-get install acpica-tools)");
        String x86 = dsl(X86AcpiTables.tableSet(X86AcpiParams.defaults(1, RAM).withDataPort(DataPort.of(Arch.X86_64)))
                .layout(0x9_0000L), "DSDT");
        assertThat(x86).contains("Device (VIO0)").contains("\"LNRO0005\"").contains("0xFEB00000")
                .contains("0x00000200").contains("Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )")
                .contains("0x00000005");
        String arm = dsl(Arm64AcpiTables.tableSet(Arm64AcpiParams.qemuVirt(1).withDataPort(DataPort.of(Arch.AARCH64)))
                .layout(0x4010_0000L), "DSDT");
        assertThat(arm).contains("Device (VIO0)").contains("\"LNRO0005\"").contains("0x0A000000")
                .contains("0x00000030"); // INTID 48 = SPI 16
        assertThat(dsl(X86AcpiTables.tableSet(X86AcpiParams.defaults(1, RAM)).layout(0x9_0000L), "DSDT"))
                .doesNotContain("LNRO0005");
    }
}
