package dev.linuxvm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.initramfs.CpioEntry;
import dev.linuxvm.engine.initramfs.CpioReader;
import dev.linuxvm.engine.initramfs.FileType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The overlay that places host files in the guest: what it contains and what it rejects. */
class GuestFilesOverlayTest {
    @TempDir
    Path dir;

    private Path file(String name, String text, String perms) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        return p;
    }

    private static Map<String, CpioEntry> tree(byte[] overlay) {
        return CpioReader.readTree(overlay);
    }

    @Test
    void places_a_file_with_the_given_mode_and_its_parents() throws IOException {
        Path prog = file("prog.sh", "echo hi\n", "rw-r--r--");

        Map<String, CpioEntry> t = tree(GuestFilesOverlay.build(List.of(new GuestFile(prog, "/opt/tools/prog.sh", 0750)),
                List.of(), ""));

        assertThat(t.get("opt/tools/prog.sh").permissions()).isEqualTo(0750);
        assertThat(new String(t.get("opt/tools/prog.sh").data(), StandardCharsets.UTF_8)).isEqualTo("echo hi\n");
        assertThat(t.get("opt").type()).isEqualTo(FileType.DIRECTORY);
        assertThat(t.get("opt/tools").permissions()).isEqualTo(0755);
    }

    @Test
    void the_host_mode_is_0755_for_an_executable_else_0644() throws IOException {
        Path exe = file("a", "x", "rwxr-----");
        Path data = file("b", "y", "rw-------");

        Map<String, CpioEntry> t = tree(GuestFilesOverlay.build(List.of(GuestFile.of(exe, "/a"), GuestFile.of(data, "/b")),
                List.of(), ""));

        assertThat(t.get("a").permissions()).isEqualTo(0755);
        assertThat(t.get("b").permissions()).isEqualTo(0644);
    }

    @Test
    void a_directory_is_copied_recursively_with_links() throws IOException {
        file("tree/top.txt", "1", "rw-r--r--");
        file("tree/sub/deep.bin", "2", "rwxr-xr-x");
        Files.createSymbolicLink(dir.resolve("tree/link"), Path.of("sub/deep.bin"));

        Map<String, CpioEntry> t = tree(GuestFilesOverlay.build(List.of(GuestFile.of(dir.resolve("tree"), "/srv/t/")),
                List.of(), ""));

        assertThat(t).containsKeys("srv/t", "srv/t/top.txt", "srv/t/sub", "srv/t/sub/deep.bin", "srv/t/link");
        assertThat(t.get("srv/t/sub/deep.bin").permissions()).isEqualTo(0755);
        assertThat(t.get("srv/t/link").linkTarget()).isEqualTo("sub/deep.bin");
    }

    @Test
    void a_file_under_tmp_keeps_tmp_world_writable() throws IOException {
        Path f = file("f", "x", "rw-r--r--");

        Map<String, CpioEntry> t = tree(GuestFilesOverlay.build(List.of(GuestFile.of(f, "/tmp/f")), List.of(), ""));

        assertThat(t.get("tmp").permissions()).isEqualTo(01777);
    }

    @Test
    void modules_go_under_the_release_with_a_generated_modules_dep() throws IOException {
        Path mods = dir.resolve("mods");
        Files.createDirectories(mods.resolve("extra"));
        // the modinfo strings as modpost leaves them in .modinfo: NUL-separated key=value
        Files.write(mods.resolve("extra/hello-dep.ko"), "\0license=GPL\0depends=\0name=hello_dep\0".getBytes(StandardCharsets.US_ASCII));
        Files.write(mods.resolve("extra/hello.ko"), "\0license=GPL\0depends=hello_dep,crc32c\0name=hello\0".getBytes(StandardCharsets.US_ASCII));

        Map<String, CpioEntry> t = tree(GuestFilesOverlay.build(List.of(), List.of(GuestModules.of(mods)), "6.1.0-57-cloud-amd64"));

        assertThat(t).containsKeys("lib/modules/6.1.0-57-cloud-amd64/extra/hello.ko",
                "lib/modules/6.1.0-57-cloud-amd64/extra/hello-dep.ko");
        assertThat(new String(t.get("lib/modules/6.1.0-57-cloud-amd64/modules.dep").data(), StandardCharsets.US_ASCII))
                .isEqualTo("extra/hello-dep.ko:\nextra/hello.ko: extra/hello-dep.ko\n"); // crc32c: not among them
    }

    @Test
    void a_modules_release_given_explicitly_wins() throws IOException {
        Path mods = dir.resolve("mods");
        Files.createDirectories(mods);
        Files.write(mods.resolve("m.ko"), new byte[] {0});

        Map<String, CpioEntry> t = tree(GuestFilesOverlay.build(List.of(),
                List.of(new GuestModules(mods, Optional.of("6.6.0-custom"))), "6.1.0-other"));

        assertThat(t).containsKey("lib/modules/6.6.0-custom/m.ko");
    }

    @Test
    void rejects_a_missing_host_file_naming_the_entry() {
        GuestFile missing = GuestFile.of(dir.resolve("nope.sh"), "/opt/nope.sh");

        assertThatThrownBy(() -> GuestFilesOverlay.check(List.of(missing), List.of()))
                .isInstanceOf(VmmException.class)
                .hasMessageStartingWith("guest file " + dir.resolve("nope.sh") + " -> /opt/nope.sh: ")
                .hasMessageContaining("is not a file or directory on this host")
                .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.BAD_INPUT);
    }

    @Test
    void rejects_a_relative_guest_path() throws IOException {
        Path f = file("f", "x", "rw-r--r--");

        assertThatThrownBy(() -> GuestFilesOverlay.check(List.of(GuestFile.of(f, "opt/f")), List.of()))
                .hasMessage("guest file " + f + " -> opt/f: the guest path 'opt/f' is not absolute: start it with /");
        assertThatThrownBy(() -> GuestFilesOverlay.check(List.of(GuestFile.of(f, "/opt/../f")), List.of()))
                .hasMessageContaining("has an empty, '.' or '..' component");
    }

    @Test
    void rejects_two_entries_placing_the_same_path() throws IOException {
        Path a = file("a", "x", "rw-r--r--");
        Path b = file("b", "y", "rw-r--r--");

        assertThatThrownBy(() -> GuestFilesOverlay.check(List.of(GuestFile.of(a, "/opt/x"), GuestFile.of(b, "/opt/x")), List.of()))
                .hasMessage("guest file " + a + " -> /opt/x and guest file " + b + " -> /opt/x both place /opt/x: keep one");
    }

    @Test
    void rejects_a_file_inside_another_entrys_directory_tree() throws IOException {
        file("tree/x", "1", "rw-r--r--");
        Path other = file("other", "2", "rw-r--r--");

        assertThatThrownBy(() -> GuestFilesOverlay.check(
                List.of(GuestFile.of(dir.resolve("tree"), "/opt"), GuestFile.of(other, "/opt/x")), List.of()))
                .hasMessageContaining("both place /opt/x");
    }

    @Test
    void rejects_a_file_where_another_entry_needs_a_directory() throws IOException {
        Path a = file("a", "x", "rw-r--r--");
        Path b = file("b", "y", "rw-r--r--");

        assertThatThrownBy(() -> GuestFilesOverlay.check(List.of(GuestFile.of(a, "/opt/a"), GuestFile.of(b, "/opt/a/b")), List.of()))
                .hasMessage("guest file " + a + " -> /opt/a places a file at /opt/a, but guest file " + b
                        + " -> /opt/a/b needs it to be a directory for /opt/a/b: choose different guest paths");
    }

    @Test
    void two_directories_at_the_same_path_merge() throws IOException {
        file("one/a", "1", "rw-r--r--");
        file("two/b", "2", "rw-r--r--");

        Map<String, CpioEntry> t = tree(GuestFilesOverlay.build(
                List.of(GuestFile.of(dir.resolve("one"), "/d"), GuestFile.of(dir.resolve("two"), "/d")), List.of(), ""));

        assertThat(t).containsKeys("d/a", "d/b");
    }

    @Test
    void the_release_is_read_from_the_banner() {
        byte[] image = "xx%s version %s (\0Linux version %s\0Linux version 6.1.0-57-cloud-amd64 (debian-kernel@lists) #1 SMP\0"
                .getBytes(StandardCharsets.US_ASCII);

        assertThat(KernelRelease.find(image)).contains("6.1.0-57-cloud-amd64");
        assertThat(KernelRelease.find(new byte[100])).isEmpty();
    }
}
