package dev.linuxvm.engine.fdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Test helper: decompiles a DTB with the reference compiler, {@code dtc -I dtb -O dts}. */
public final class Dtc {
    private Dtc() {
    }

    public static boolean available() {
        try {
            Process p = new ProcessBuilder("dtc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Decompiles {@code dtb}; skips the test when dtc is missing, fails when dtc exits non-zero
     * or prints anything on stderr (errors and warnings alike). Returns the DTS source.
     */
    public static String decompile(byte[] dtb, Path dir) throws IOException, InterruptedException {
        assumeTrue(available(), "dtc (the reference device-tree compiler) is not installed: apt-get install device-tree-compiler");
        Path in = dir.resolve("in.dtb");
        Path out = dir.resolve("out.dts");
        Path err = dir.resolve("dtc.err");
        Files.write(in, dtb);
        Process p = new ProcessBuilder("dtc", "-I", "dtb", "-O", "dts", "-o", out.toString(), in.toString())
                .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("dtc finished").isTrue();
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("dtc exit status; stderr:%n%s", stderr).isZero();
        assertThat(stderr).as("dtc warnings/errors").isEmpty();
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
