package dev.linuxvm.engine.initramfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GNU cpio, which no one here wrote, must read what {@link CpioWriter} writes. */
class SystemCpioCrossCheckTest {

    @BeforeAll
    static void needsCpio() {
        assumeTrue(onPath("cpio"), "the cpio tool is not installed (apt-get install cpio): cannot cross-check");
    }

    private static byte[] sample() {
        return new CpioWriter()
            .addFile("bin/tool", 0755, "#!/bin/sh\necho hi\n")
            .addSymlink("bin/alias", "tool")
            .addFile("etc/empty", 0600, new byte[0])
            .addFile("etc/odd", 0644, new byte[] {1, 2, 3, 4, 5})
            .addDirectory("proc", 0555)
            .toByteArray();
    }

    @Test
    void cpio_lists_our_archive(@TempDir Path dir) throws Exception {
        Path archive = dir.resolve("a.cpio");
        Files.write(archive, sample());

        Result r = run(dir, archive, "cpio", "-t", "--quiet");

        assertThat(r.exit).as("cpio -t stderr: %s", r.err).isZero();
        assertThat(r.out.lines()).containsExactly("bin", "bin/tool", "bin/alias", "etc", "etc/empty", "etc/odd", "proc");
    }

    @Test
    void cpio_extracts_our_archive(@TempDir Path dir) throws Exception {
        Path archive = dir.resolve("a.cpio");
        Files.write(archive, sample());
        Path out = Files.createDirectory(dir.resolve("out"));

        Result r = run(out, archive, "cpio", "-i", "-d", "--quiet", "--no-absolute-filenames");

        assertThat(r.exit).as("cpio -i stderr: %s", r.err).isZero();
        assertThat(Files.readString(out.resolve("bin/tool"))).isEqualTo("#!/bin/sh\necho hi\n");
        assertThat(Files.isExecutable(out.resolve("bin/tool"))).isTrue();
        assertThat(Files.readSymbolicLink(out.resolve("bin/alias")).toString()).isEqualTo("tool");
        assertThat(Files.readAllBytes(out.resolve("etc/odd"))).containsExactly(1, 2, 3, 4, 5);
        assertThat(Files.size(out.resolve("etc/empty"))).isZero();
        assertThat(Files.isDirectory(out.resolve("proc"))).isTrue();
    }

    private record Result(int exit, String out, String err) { }

    private static Result run(Path cwd, Path stdin, String... cmd) throws IOException, InterruptedException {
        Path err = Files.createTempFile("cpio", ".err");
        try {
            Process p = new ProcessBuilder(List.of(cmd)).directory(cwd.toFile())
                .redirectInput(stdin.toFile()).redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("cpio did not finish within 30 s: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), out, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
