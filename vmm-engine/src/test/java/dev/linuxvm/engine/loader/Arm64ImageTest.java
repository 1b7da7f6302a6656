package dev.linuxvm.engine.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Arm64ImageTest {

    /** A synthetic Image: header fields as booting.rst lists them, then zero "code". */
    static byte[] image(int length, long textOffset, long imageSize, long flags) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x14000010);   // code0: b +0x40
        b.putInt(0);            // code1
        b.putLong(textOffset);  // text_offset
        b.putLong(imageSize);   // image_size
        b.putLong(flags);       // flags
        b.putLong(0);           // res2
        b.putLong(0);           // res3
        b.putLong(0);           // res4
        b.putInt(0x644d5241);   // magic "ARM\x64"
        b.putInt(0x40);         // res5 (PE header offset)
        return b.array();
    }

    @Test
    void header_is_64_bytes_with_magic_at_0x38() {
        assertThat(Arm64ImageHeader.SIZE).isEqualTo(64);
        assertThat(Arm64ImageHeader.MAGIC_OFFSET).isEqualTo(0x38);
        byte[] bytes = image(4096, 0, 0x3000, 0xA);
        assertThat(Arrays.copyOfRange(bytes, 0x38, 0x3c)).isEqualTo("ARM\u0064".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void parses_a_synthetic_header() {
        Arm64Image img = Arm64Image.parse("synthetic", image(4096, 0, 0x3000, 0xA));
        assertThat(img.textOffset()).isZero();
        assertThat(img.imageSize()).isEqualTo(0x3000);
        assertThat(img.pageSize()).isEqualTo(4096);
        assertThat(img.placeAnywhere()).isTrue();
        assertThat(img.header().res5()).isEqualTo(0x40);
        assertThat(img.header().code0()).isEqualTo(0x14000010);
        assertThat(img.data()).hasSize(4096);
    }

    @Test
    void image_size_zero_means_legacy_text_offset_and_file_length() {
        Arm64Image img = Arm64Image.parse("old", image(8192, 0x1234, 0, 0));
        assertThat(img.textOffset()).isEqualTo(0x80000);
        assertThat(img.imageSize()).isEqualTo(8192);
        assertThat(img.pageSize()).isZero();
        assertThat(img.placeAnywhere()).isFalse();
    }

    @Test
    void rejects_gzip_compressed_image() {
        byte[] gz = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> Arm64Image.parse("Image.gz", gz)).isInstanceOf(Arm64ImageException.class)
                .hasMessage("kernel image Image.gz is gzip-compressed (an Image.gz): gunzip it and pass the"
                        + " uncompressed Image");
    }

    @Test
    void rejects_efi_zboot_image() {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.put("MZ".getBytes(StandardCharsets.US_ASCII)).putShort((short) 0); // DOS header magic + pad
        b.put("zimg".getBytes(StandardCharsets.US_ASCII));                 // zboot magic
        b.putInt(0x1000);                                                  // payload offset
        b.putInt(0x800);                                                   // payload size
        b.putInt(0).putInt(0);                                             // reserved
        b.put("zstd\0".getBytes(StandardCharsets.US_ASCII));               // compression type
        assertThatThrownBy(() -> Arm64Image.parse("vmlinuz.efi", b.array())).isInstanceOf(Arm64ImageException.class)
                .hasMessage("kernel image vmlinuz.efi is an EFI zboot image (zstd-compressed Image inside a PE"
                        + " wrapper): extract the Image, e.g. tail -c +4097 vmlinuz.efi | zstd -d > Image, and pass that");
    }

    @Test
    void rejects_x86_bzimage() {
        byte[] bz = new byte[0x1000];
        bz[0] = 'M';
        bz[1] = 'Z';
        System.arraycopy("HdrS".getBytes(StandardCharsets.US_ASCII), 0, bz, 0x202, 4);
        assertThatThrownBy(() -> Arm64Image.parse("bzImage", bz)).isInstanceOf(Arm64ImageException.class)
                .hasMessage("kernel image bzImage is an x86 bzImage: pass an arm64 Image for an aarch64 guest,"
                        + " or boot it as an x86_64 guest");
    }

    private static byte[] elf(int machine) {
        byte[] elf = new byte[64];
        elf[0] = 0x7f;
        elf[1] = 'E';
        elf[2] = 'L';
        elf[3] = 'F';
        elf[0x12] = (byte) machine; // e_machine, little-endian
        return elf;
    }

    @Test
    void rejects_x86_elf_vmlinux() {
        assertThatThrownBy(() -> Arm64Image.parse("vmlinux", elf(62))).isInstanceOf(Arm64ImageException.class)
                .hasMessage("kernel image vmlinux is an ELF file for x86_64, not an arm64 Image: pass an arm64"
                        + " Image for an aarch64 guest, or boot it as an x86_64 guest");
    }

    @Test
    void rejects_arm64_elf_vmlinux() {
        assertThatThrownBy(() -> Arm64Image.parse("vmlinux", elf(183))).isInstanceOf(Arm64ImageException.class)
                .hasMessage("kernel image vmlinux is an arm64 ELF vmlinux: pass the raw Image"
                        + " (arch/arm64/boot/Image, or Debian's /boot/vmlinuz-*-arm64) instead");
    }

    @Test
    void rejects_truncated_header() {
        byte[] cut = Arrays.copyOf(image(4096, 0, 0x3000, 0xA), 0x30);
        assertThatThrownBy(() -> Arm64Image.parse("Image", cut)).isInstanceOf(Arm64ImageException.class)
                .hasMessage("kernel image Image is 48 bytes, shorter than the 64-byte arm64 Image header:"
                        + " the file is truncated or not a kernel");
    }

    @Test
    void rejects_missing_magic() {
        byte[] bytes = image(4096, 0, 0x3000, 0xA);
        bytes[0x38] = 0;
        assertThatThrownBy(() -> Arm64Image.parse("blob", bytes)).isInstanceOf(Arm64ImageException.class)
                .hasMessage("kernel image blob is not an arm64 Image (no \"ARM\\x64\" magic at 0x38):"
                        + " pass arch/arm64/boot/Image");
    }

    @Test
    void rejects_image_shorter_than_the_file_says_and_big_endian_and_64k_pages() {
        assertThatThrownBy(() -> Arm64Image.parse("Image", image(8192, 0, 4096, 0xA)))
                .hasMessageContaining("is 8192 bytes but its header's image_size is only 4096");
        assertThatThrownBy(() -> Arm64Image.parse("Image", image(4096, 0, 8192, 0x3)))
                .hasMessageContaining("big-endian kernel");
        assertThatThrownBy(() -> Arm64Image.parse("Image", image(4096, 0, 8192, 0x6 | 0x8)))
                .hasMessageContaining("uses 64K pages");
    }

    @Test
    void rejects_missing_file(@TempDir Path tmp) {
        Path missing = tmp.resolve("Image");
        assertThatThrownBy(() -> Arm64Image.load(missing)).isInstanceOf(Arm64ImageException.class)
                .hasMessage("kernel image " + missing + " does not exist: pass the path of an arm64 Image");
    }
}
