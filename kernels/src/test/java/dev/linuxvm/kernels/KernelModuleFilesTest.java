package dev.linuxvm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelModuleFilesTest {
    @TempDir
    Path dir;

    @Test
    void a_plain_module_is_copied_and_a_compressed_one_decompressed() throws Exception {
        Path tree = dir.resolve("lib/modules/6.1.0-x");
        Files.createDirectories(tree.resolve("kernel/a"));
        Files.writeString(tree.resolve("kernel/a/plain.ko"), "plain bytes");
        Files.writeString(dir.resolve("packed.ko"), "packed bytes");
        HostCommand.run(dir, List.of("xz", dir.resolve("packed.ko").toString()));
        Files.move(dir.resolve("packed.ko.xz"), tree.resolve("kernel/a/packed.ko.xz"));

        Path out = dir.resolve("out");
        KernelModuleFiles.copyPlain(tree, "kernel/a/plain.ko", out.resolve("plain.ko"), System.getenv("PATH"), "pkg");
        KernelModuleFiles.copyPlain(tree, "kernel/a/packed.ko", out.resolve("x/packed.ko"), System.getenv("PATH"), "pkg");

        assertThat(out.resolve("plain.ko")).hasContent("plain bytes");
        assertThat(out.resolve("x/packed.ko")).hasContent("packed bytes");
        assertThat(out.resolve("x/packed.ko.xz")).doesNotExist();
    }

    @Test
    void a_missing_module_names_the_package_and_both_files() {
        assertThatThrownBy(() -> KernelModuleFiles.copyPlain(dir, "kernel/b/none.ko", dir.resolve("o/none.ko"),
                System.getenv("PATH"), "linux-image-6.1.0-x"))
                .isInstanceOf(ProvisioningException.class)
                .hasMessage("linux-image-6.1.0-x has neither kernel/b/none.ko nor kernel/b/none.ko.xz: the kernel does not"
                        + " build it as a module (built in, or absent)");
    }
}
