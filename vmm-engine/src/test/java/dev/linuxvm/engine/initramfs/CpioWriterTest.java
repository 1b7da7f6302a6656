package dev.linuxvm.engine.initramfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import dev.linuxvm.engine.VmmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpioWriterTest {

    @Test
    void header_size_is_110_bytes() {
        assertThat(NewcHeader.SIZE).isEqualTo(110);
        assertThat(new NewcHeader(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0).toBytes()).hasSize(NewcHeader.SIZE);
    }

    @Test
    void writes_golden_newc_bytes_for_one_file() {
        byte[] archive = new CpioWriter().addFile("init", 0755, "hi\n").toByteArray();

        String expected = ""
            // --- entry "init" ---
            + "070701"      // c_magic
            + "00000001"    // c_ino: first inode
            + "000081ED"    // c_mode: S_IFREG (0100000) | 0755
            + "00000000"    // c_uid
            + "00000000"    // c_gid
            + "00000001"    // c_nlink
            + "00000000"    // c_mtime
            + "00000003"    // c_filesize: "hi\n"
            + "00000000"    // c_maj
            + "00000000"    // c_min
            + "00000000"    // c_rmaj
            + "00000000"    // c_rmin
            + "00000005"    // c_namesize: "init" + NUL
            + "00000000"    // c_chksum
            + "init\0"      // name: 110 + 5 = 115 bytes ...
            + "\0"          // ... padded to 116
            + "hi\n"        // data: 3 bytes ...
            + "\0"          // ... padded to 4
            // --- trailer ---
            + "070701"      // c_magic
            + "00000000"    // c_ino
            + "00000000"    // c_mode
            + "00000000"    // c_uid
            + "00000000"    // c_gid
            + "00000001"    // c_nlink
            + "00000000"    // c_mtime
            + "00000000"    // c_filesize
            + "00000000"    // c_maj
            + "00000000"    // c_min
            + "00000000"    // c_rmaj
            + "00000000"    // c_rmin
            + "0000000B"    // c_namesize: "TRAILER!!!" + NUL = 11
            + "00000000"    // c_chksum
            + "TRAILER!!!\0" // name: 110 + 11 = 121 bytes ...
            + "\0\0\0";     // ... padded to 124
        assertThat(new String(archive, StandardCharsets.ISO_8859_1)).isEqualTo(expected);
        assertThat(archive.length % NewcHeader.ALIGNMENT).isZero();
    }

    @Test
    void round_trips_every_entry_type_with_implicit_parents() {
        byte[] payload = new byte[1001];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7);
        }
        CpioWriter w = new CpioWriter()
            .addFile("/bin/busybox", 0755, payload)
            .addSymlink("bin/sh", "busybox")
            .addDirectory("proc", 0555)
            .addCharDevice("dev/console", 0600, 5, 1)
            .addBlockDevice("dev/vda", 0660, 254, 0);

        List<CpioEntry> entries = CpioReader.read(w.toGzip());

        assertThat(entries).extracting(CpioEntry::name)
            .containsExactly("bin", "bin/busybox", "bin/sh", "proc", "dev", "dev/console", "dev/vda");
        assertThat(entries).extracting(e -> e.header().c_ino()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        Map<String, CpioEntry> tree = CpioReader.readTree(w.toByteArray());
        assertThat(tree.get("bin").type()).isEqualTo(FileType.DIRECTORY);
        assertThat(tree.get("bin").permissions()).isEqualTo(CpioWriter.DEFAULT_DIRECTORY_MODE);
        assertThat(tree.get("bin/busybox").data()).isEqualTo(payload);
        assertThat(tree.get("bin/busybox").permissions()).isEqualTo(0755);
        assertThat(tree.get("bin/sh").linkTarget()).isEqualTo("busybox");
        assertThat(tree.get("proc").permissions()).isEqualTo(0555);
        CpioEntry console = tree.get("dev/console");
        assertThat(console.type()).isEqualTo(FileType.CHAR_DEVICE);
        assertThat(console.header().c_rmaj()).isEqualTo(5);
        assertThat(console.header().c_rmin()).isEqualTo(1);
        assertThat(tree.get("dev/vda").type()).isEqualTo(FileType.BLOCK_DEVICE);
    }

    @Test
    void concatenated_archives_read_as_one_tree_with_later_entries_winning() {
        byte[] base = new CpioWriter().addFile("etc/motd", 0644, "base").addFile("init", 0755, "a").toGzip();
        byte[] overlay = new CpioWriter(1000).addFile("linuxvm/exec", 0755, "true").addFile("etc/motd", 0644, "overlay").toGzip();
        byte[] both = new byte[base.length + overlay.length];
        System.arraycopy(base, 0, both, 0, base.length);
        System.arraycopy(overlay, 0, both, base.length, overlay.length);

        Map<String, CpioEntry> tree = CpioReader.readTree(both);

        assertThat(tree).containsKeys("etc", "init", "linuxvm", "linuxvm/exec");
        assertThat(new String(tree.get("etc/motd").data(), StandardCharsets.UTF_8)).isEqualTo("overlay");
        assertThat(tree.get("linuxvm/exec").header().c_ino()).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void same_input_gives_same_bytes() {
        assertThat(new CpioWriter().addFile("a/b", 0644, "x").toByteArray())
            .isEqualTo(new CpioWriter().addFile("a/b", 0644, "x").toByteArray());
    }

    @Test
    void file_streamed_from_a_path_gives_the_same_bytes_as_in_memory(@TempDir Path tmp) throws IOException {
        byte[] contents = "three bytes and then some".getBytes(StandardCharsets.UTF_8);
        Path source = Files.write(tmp.resolve("src"), contents);
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        new CpioWriter().addFile("usr/lib/x", 0755, source).writeTo(streamed);
        assertThat(streamed.toByteArray()).isEqualTo(new CpioWriter().addFile("usr/lib/x", 0755, contents).toByteArray());
    }

    @Test
    void rejects_a_streamed_file_that_changed_size_before_writing(@TempDir Path tmp) throws IOException {
        Path source = Files.write(tmp.resolve("src"), new byte[10]);
        CpioWriter w = new CpioWriter().addFile("x", 0644, source);
        Files.write(source, new byte[11]);
        assertThatThrownBy(() -> w.writeTo(new ByteArrayOutputStream()))
            .isInstanceOf(CpioException.class).hasMessageContaining("changed size");
    }

    @Test
    void rejects_parent_components_and_empty_paths() {
        assertThatThrownBy(() -> new CpioWriter().addFile("../etc/passwd", 0644, "x"))
            .isInstanceOf(CpioException.class).hasMessageContaining("'..'");
        assertThatThrownBy(() -> new CpioWriter().addFile("/", 0644, "x"))
            .isInstanceOf(CpioException.class).hasMessageContaining("invalid cpio path");
    }

    @Test
    void rejects_type_bits_in_mode() {
        assertThatThrownBy(() -> new CpioWriter().addFile("x", 0100644, "x"))
            .isInstanceOf(CpioException.class).hasMessageContaining("outside 07777");
    }

    @Test
    void rejects_a_file_used_as_parent_directory() {
        CpioWriter w = new CpioWriter().addFile("bin", 0755, "x");
        assertThatThrownBy(() -> w.addFile("bin/sh", 0755, "y"))
            .isInstanceOf(CpioException.class).hasMessageContaining("used as a parent directory");
    }

    @Test
    void reader_rejects_other_formats_and_truncation() {
        assertThatThrownBy(() -> CpioReader.read("070707junk".getBytes(StandardCharsets.US_ASCII)))
            .isInstanceOf(CpioException.class).hasMessageContaining("truncated");
        byte[] odc = new byte[NewcHeader.SIZE];
        System.arraycopy("070707".getBytes(StandardCharsets.US_ASCII), 0, odc, 0, 6);
        assertThatThrownBy(() -> CpioReader.read(odc))
            .isInstanceOf(CpioException.class).hasMessageContaining("expected '070701'");
        byte[] hugeName = new NewcHeader(1, 0100644, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xFFFF_FFFFL, 0).toBytes();
        assertThatThrownBy(() -> CpioReader.read(hugeName))
            .isInstanceOf(CpioException.class).hasMessageContaining("name of entry at offset 0");
        byte[] full = new CpioWriter().addFile("f", 0644, new byte[100]).toByteArray();
        byte[] cut = java.util.Arrays.copyOf(full, 150);
        assertThatThrownBy(() -> CpioReader.read(cut))
            .isInstanceOf(CpioException.class).hasMessageContaining("runs past the end");
    }

    @Test
    void reader_refuses_a_gzip_archive_that_decompresses_past_the_limit() {
        // A 1 MiB zero file compresses to about 1 KiB: unbounded, such a file decompressed until the
        // heap ran out (OutOfMemoryError) instead of failing with a CpioException.
        byte[] gz = new CpioWriter().addFile("zeros", 0644, new byte[1 << 20]).toGzip();
        assertThat(gz.length).isLessThan(8192);
        assertThatThrownBy(() -> CpioReader.read(gz, 64 * 1024))
            .isInstanceOf(CpioException.class)
            .hasMessage("gzip cpio archive of " + gz.length + " bytes decompresses to more than 65536 bytes:"
                + " it is corrupt or not an initramfs");
        assertThat(CpioReader.read(gz)).hasSize(1);
    }

    @Test
    void a_bad_archive_or_path_is_bad_input() {
        assertThatThrownBy(() -> CpioReader.read("not a cpio archive ".repeat(20).getBytes(StandardCharsets.US_ASCII))).isInstanceOf(CpioException.class)
                .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.BAD_INPUT);
        assertThatThrownBy(() -> new CpioWriter().addFile("../escape", 0644, new byte[1])).isInstanceOf(CpioException.class)
                .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.BAD_INPUT);
    }
}
