package dev.linuxvm.engine.acpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads our DSDTs into ACPICA's own interpreter ({@code acpiexec}, from acpica-tools) and
 * evaluates the objects the kernel will evaluate: the values come from a namespace walk we did
 * not write, not from our encoder.
 */
class AcpiExecTest {
    @TempDir
    Path dir;

    private static boolean acpiexecAvailable() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(p -> Files.isExecutable(Path.of(p, "acpiexec")));
    }

    private String evaluate(Dsdt dsdt, String... paths) throws Exception {
        Path file = dir.resolve("DSDT.aml");
        Files.write(file, dsdt.toBytes());
        StringBuilder batch = new StringBuilder();
        for (String p : paths) {
            batch.append(batch.length() == 0 ? "" : "; ").append("evaluate ").append(p);
        }
        Process proc = new ProcessBuilder("acpiexec", "-b", batch.toString(), file.toString())
                .redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(proc.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(proc.exitValue()).as("acpiexec output:%n%s", out).isZero();
        assertThat(out.lines().filter(l -> l.contains("Error") || l.contains("AE_")))
                .as("acpiexec output:%n%s", out).isEmpty();
        return out;
    }

    @Test
    void x86_dsdt_evaluates_s5_and_com1_resources() throws Exception {
        assumeTrue(acpiexecAvailable(), "acpiexec not on PATH: install acpica-tools (apt-get install acpica-tools)");
        String out = evaluate(X86AcpiTables.dsdt(X86AcpiParams.defaults(1, List.of(new MemoryRange(0, 0x1000_0000)))),
                "\\_S5", "\\_SB.COM1._HID", "\\_SB.COM1._CRS");
        assertThat(out).containsSubsequence("Evaluating \\_S5", "[Package] Contains 4 Elements:",
                "[Integer] = 0000000000000005", "[Integer] = 0000000000000005",
                "[Integer] = 0000000000000000", "[Integer] = 0000000000000000");
        assertThat(out).containsSubsequence("Evaluating \\_SB.COM1._HID", "[Integer] = 000000000105D041");
        assertThat(out).containsSubsequence("Evaluating \\_SB.COM1._CRS",
                "47 01 F8 03 F8 03 00 08 22 10 00 79 0F");
    }

    @Test
    void arm64_dsdt_evaluates_pl011_identity_and_resources() throws Exception {
        assumeTrue(acpiexecAvailable(), "acpiexec not on PATH: install acpica-tools (apt-get install acpica-tools)");
        String out = evaluate(Arm64AcpiTables.dsdt(Arm64AcpiParams.qemuVirt(1)),
                "\\_SB.COM0._HID", "\\_SB.COM0._STA", "\\_SB.COM0._CRS");
        assertThat(out).containsSubsequence("Evaluating \\_SB.COM0._HID", "[String] Length 08 = \"ARMH0011\"");
        assertThat(out).containsSubsequence("Evaluating \\_SB.COM0._STA", "[Integer] = 000000000000000F");
        assertThat(out).containsSubsequence("Evaluating \\_SB.COM0._CRS",
                "86 09 00 01 00 00 00 09 00 10 00 00 89 06 00 01", "01 21 00 00 00 79 2C");
    }
}
