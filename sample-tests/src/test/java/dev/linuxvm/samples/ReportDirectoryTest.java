package dev.linuxvm.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Runs after the samples (class order in junit-platform.properties; unannotated classes get
 * {@link Order#DEFAULT}, this one {@code Integer.MAX_VALUE}; under parallel execution
 * {@link Isolated} makes it wait until the others have finished) and checks the report
 * directories their finished guests left under {@code target/linuxvm/}. Run it together with the
 * sample classes, not alone.
 */
@Order(Integer.MAX_VALUE)
@Isolated("reads the reports of the guests that the other classes boot")
class ReportDirectoryTest {
    private static final Path REPORTS = Path.of("target", "linuxvm");

    @Test
    void perClassGuestReportHasConsoleLogTablesAndSummary() throws IOException {
        // tag::reports[]
        Path dir = Path.of("target/linuxvm/dev.linuxvm.samples.X86BootTest");
        // end::reports[]
        assertReport(dir, "RSDP.dat", "XSDT.dat", "FACP.dat", "DSDT.aml", "APIC.dat", "SRAT.dat", "zero-page.bin", "e820.txt");
        assertThat(Files.readString(dir.resolve("console.log"))).contains("ACPI: RSDP 0x00000000000E0000");
        Properties summary = summary(dir);
        assertThat(summary.getProperty("cmdline")).startsWith("console=ttyS0");
        assertThat(summary.getProperty("exit")).isEqualTo("powered off");
        assertThat(summary.getProperty("timeout.scale")).isIn("×1 for kvm", "×1 for qemu-kvm", "×4 for qemu-tcg");
    }

    @Test
    void matrixInvocationReportsHaveTheirOwnFirmwareFiles() throws IOException {
        Path matrix = REPORTS.resolve("dev.linuxvm.samples.Aarch64FirmwareMatrixTest");
        Path acpi = matrix.resolve("firmwareIsWhatWeSaid[aarch64,acpi]");
        Path dt = matrix.resolve("firmwareIsWhatWeSaid[aarch64,device-tree]");
        assertReport(acpi, "RSDP.dat", "DSDT.aml", "FACP.dat", "APIC.dat", "GTDT.dat", "SPCR.dat");
        assertReport(dt, "guest.dtb");
        assertThat(dt.resolve("DSDT.aml")).doesNotExist();
        assertThat(summary(acpi).getProperty("mode")).isEqualTo("acpi");
        assertThat(summary(dt).getProperty("mode")).isEqualTo("device-tree");
        assertThat(summary(dt).getProperty("cmdline")).isEqualTo("console=ttyAMA0 earlycon panic=-1");
    }

    private static void assertReport(Path dir, String... firmwareFiles) throws IOException {
        assertThat(dir).as("report directory (run this class together with the samples)").isDirectory();
        assertThat(dir.resolve("console.log")).isNotEmptyFile();
        assertThat(Files.readString(dir.resolve("console.log"))).contains("linuxvm: userspace ready");
        for (String f : firmwareFiles) {
            assertThat(dir.resolve(f)).isNotEmptyFile();
        }
        Properties summary = summary(dir);
        assertThat(Path.of(summary.getProperty("kernel"))).isRegularFile();
        assertThat(Path.of(summary.getProperty("initrd"))).isRegularFile();
        assertThat(summary.getProperty("cmdline")).contains("panic=-1");
        assertThat(summary.getProperty("executor")).isIn("kvm", "qemu-kvm", "qemu-tcg");
        assertThat(summary.getProperty("executor.reason")).isNotBlank();
        assertThat(Long.parseLong(summary.getProperty("boot.ready.ms"))).isPositive();
    }

    private static Properties summary(Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(dir.resolve("summary.properties"))) {
            p.load(in);
        }
        return p;
    }
}
