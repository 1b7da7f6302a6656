package dev.linuxvm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source cache, with a tiny linux-source package built here (no network). */
class KernelSourceTest {

    /** A linux-source-6.1 .deb whose tarball holds a Makefile and kunit's tool dir. */
    static Path fakeSourceDeb(Path dir, String version) throws Exception {
        Path tree = Files.createDirectories(dir.resolve("src/linux-source-6.1/tools/testing/kunit/configs"));
        Files.writeString(tree.getParent().getParent().getParent().getParent().resolve("Makefile"), "all:\n");
        Files.writeString(tree.resolve("default.config"), "CONFIG_KUNIT=y\n");
        Files.writeString(tree.getParent().resolve("kunit.py"), "print('kunit')\n");
        Path pkg = Files.createDirectories(dir.resolve("pkg"));
        Files.createDirectories(pkg.resolve("usr/src"));
        Files.createDirectories(pkg.resolve("DEBIAN"));
        Files.writeString(pkg.resolve("DEBIAN/control"), "Package: linux-source-6.1\nVersion: " + version
            + "\nArchitecture: all\nMaintainer: test <test@example.invalid>\nDescription: test\n");
        HostCommand.run(dir.resolve("src"), List.of("tar", "cJf", pkg.resolve("usr/src/linux-source-6.1.tar.xz").toString(),
            "linux-source-6.1"));
        Path deb = dir.resolve("linux-source-6.1_" + version + "_all.deb");
        HostCommand.run(dir, List.of("dpkg-deb", "--build", "-Zgzip", pkg.toString(), deb.toString()));
        GuestCache.deleteTree(pkg);
        GuestCache.deleteTree(dir.resolve("src"));
        return deb;
    }

    static void assumeDpkg() {
        assumeTrue(HostCommand.onPath("dpkg-deb") && HostCommand.onPath("xz"), "needs dpkg-deb and xz (Debian)");
    }

    @Test
    void unpacks_the_tarball_inside_the_package_keyed_by_version(@TempDir Path dir) throws Exception {
        assumeDpkg();
        KernelSource source = KernelSource.of(dir.resolve("cache"), System.getenv(), s -> { });

        KernelSource.Tree tree = source.unpackAndStore(fakeSourceDeb(dir.resolve("a"), "6.1.192-3"));

        assertThat(tree.packageVersion()).isEqualTo("6.1.192-3");
        assertThat(tree.key()).isEqualTo("linux-source-6.1_6.1.192-3");
        assertThat(tree.root()).isEqualTo(dir.resolve("cache/source/linux-source-6.1_6.1.192-3"));
        assertThat(tree.kunitTool().resolve("kunit.py")).hasContent("print('kunit')");
        assertThat(Files.readString(dir.resolve("cache/source/current")).trim()).isEqualTo("linux-source-6.1_6.1.192-3");
        assertThat(dir.resolve("cache/source/tmp")).doesNotExist();
        assertThat(source.current()).isEqualTo(tree);
    }

    @Test
    void reuse_needs_no_tools_and_ignores_pycache_but_not_a_lost_file(@TempDir Path dir) throws Exception {
        assumeDpkg();
        Path cache = dir.resolve("cache");
        KernelSource.Tree tree = KernelSource.of(cache, System.getenv(), s -> { })
            .unpackAndStore(fakeSourceDeb(dir.resolve("a"), "1.0-1"));
        List<String> log = new ArrayList<>();
        // A fresh JVM's view: PATH without apt, dpkg or tar still finds the cached tree.
        KernelSource offline = KernelSource.of(cache, Map.of("PATH", dir.resolve("empty").toString()), log::add);

        Files.createDirectories(tree.kunitTool().resolve("__pycache__"));
        Files.writeString(tree.kunitTool().resolve("__pycache__/kunit.cpython-311.pyc"), "bytecode");
        assertThat(offline.get()).isEqualTo(tree);

        Files.delete(tree.kunitTool().resolve("kunit.py"));
        Files.setLastModifiedTime(cache.resolve("source/linux-source-6.1_1.0-1.properties"),
            java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000)); // not the verified state
        assertThatThrownBy(offline::get).isInstanceOf(ProvisioningException.class)
            .hasMessage("cannot provision linux-source-6.1: apt-get, dpkg-deb, tar, xz not found: "
                + "apt-get install apt dpkg tar xz-utils");
        assertThat(log).anyMatch(l -> l.contains("has 2 files") && l.contains("manifest says 3 files"));
    }

    @Test
    void a_newer_package_supersedes_the_old_tree(@TempDir Path dir) throws Exception {
        assumeDpkg();
        KernelSource source = KernelSource.of(dir.resolve("cache"), System.getenv(), s -> { });
        KernelSource.Tree old = source.unpackAndStore(fakeSourceDeb(dir.resolve("a"), "1.0-1"));

        KernelSource.Tree now = source.unpackAndStore(fakeSourceDeb(dir.resolve("b"), "1.0-2"));

        assertThat(source.current()).isEqualTo(now);
        assertThat(old.root()).doesNotExist();
        assertThat(dir.resolve("cache/source/linux-source-6.1_1.0-1.properties")).doesNotExist();
    }
}
