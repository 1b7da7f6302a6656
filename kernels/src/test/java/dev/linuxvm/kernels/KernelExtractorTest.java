package dev.linuxvm.kernels;

import dev.linuxvm.engine.loader.Arm64ImageHeader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPOutputStream;
import dev.linuxvm.engine.loader.ElfVmlinuxLoader;
import dev.linuxvm.engine.loader.KernelFormat;
import org.junit.jupiter.api.Test;

/** Format detection on synthetic kernels; the real ones are checked in {@link ProvisionedGuestTest}. */
class KernelExtractorTest {
    private static final int SETUP_SECTS = 3;

    @Test
    void structure_sizes_are_pinned() {
        assertThat(BzImageSetupHeader.SIZE).isEqualTo(0x250);
        assertThat(ZbootHeader.SIZE).isEqualTo(56);
    }

    @Test
    void unpacks_gzip_bzimage_payload_to_the_elf_inside() throws Exception {
        byte[] elf = minimalElf(KernelFormat.EM_X86_64);
        assertThat(KernelExtractor.vmlinuxFromBzImage(bzImage(gzip(elf)))).isEqualTo(elf);
    }

    @Test
    void unpacks_lz4_bzimage_payload() {
        byte[] elf = minimalElf(KernelFormat.EM_X86_64);
        // One LZ4 block holding everything as literals: token 0xF0 + length bytes + data.
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0xF0);
        int rest = elf.length - 15;
        while (rest >= 255) {
            block.write(255);
            rest -= 255;
        }
        block.write(rest);
        block.writeBytes(elf);
        ByteBuffer frame = ByteBuffer.allocate(8 + block.size() + 4).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(Lz4Legacy.MAGIC).putInt(block.size()).put(block.toByteArray()).putInt(elf.length);
        assertThat(KernelExtractor.vmlinuxFromBzImage(bzImage(frame.array()))).isEqualTo(elf);
    }

    @Test
    void rejects_xz_zstd_bzip2_lzma_lzo_payloads_naming_the_format() {
        for (Compression c : new Compression[] {Compression.XZ, Compression.ZSTD, Compression.BZIP2, Compression.LZMA, Compression.LZO}) {
            byte[] payload = new byte[64];
            System.arraycopy(magicOf(c), 0, payload, 0, magicOf(c).length);
            assertThatThrownBy(() -> KernelExtractor.vmlinuxFromBzImage(bzImage(payload)))
                .isInstanceOf(KernelFormatException.class)
                .hasMessageContaining("is " + c.toolName() + "-compressed")
                .hasMessageContaining("LINUXVM_KERNEL_X86_64");
        }
    }

    @Test
    void rejects_non_x86_elf_payload() throws Exception {
        assertThatThrownBy(() -> KernelExtractor.vmlinuxFromBzImage(bzImage(gzip(minimalElf(KernelFormat.EM_AARCH64)))))
            .isInstanceOf(KernelFormatException.class).hasMessageContaining("expected EM_X86_64");
    }

    @Test
    void rejects_files_that_are_not_bzimages() {
        assertThatThrownBy(() -> KernelExtractor.vmlinuxFromBzImage(new byte[4096]))
            .isInstanceOf(KernelFormatException.class).hasMessageContaining("not a bzImage");
    }

    @Test
    void raw_arm64_image_is_returned_unchanged_and_gzip_is_unpacked() throws Exception {
        byte[] image = arm64Image();
        assertThat(KernelExtractor.imageFromVmlinuz(image)).isSameAs(image);
        assertThat(KernelExtractor.imageFromVmlinuz(gzip(image))).isEqualTo(image);
    }

    @Test
    void unpacks_gzip_efi_zboot_and_rejects_other_zboot_compressors() throws Exception {
        byte[] image = arm64Image();
        assertThat(KernelExtractor.imageFromVmlinuz(zboot(gzip(image), "gzip"))).isEqualTo(image);
        byte[] zstd = new byte[32];
        System.arraycopy(magicOf(Compression.ZSTD), 0, zstd, 0, 4);
        assertThatThrownBy(() -> KernelExtractor.imageFromVmlinuz(zboot(zstd, "zstd")))
            .isInstanceOf(KernelFormatException.class).hasMessageContaining("compressed with zstd")
            .hasMessageContaining("LINUXVM_KERNEL_AARCH64");
    }

    @Test
    void rejects_unknown_arm64_kernel() {
        assertThatThrownBy(() -> KernelExtractor.imageFromVmlinuz(new byte[128]))
            .isInstanceOf(KernelFormatException.class).hasMessageContaining("not an arm64 kernel");
    }

    private static byte[] magicOf(Compression c) {
        switch (c) {
            case XZ: return new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
            case ZSTD: return new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
            case BZIP2: return new byte[] {'B', 'Z', 'h'};
            case LZMA: return new byte[] {0x5d, 0, 0};
            case LZO: return new byte[] {(byte) 0x89, 'L', 'Z', 'O'};
            default: throw new IllegalArgumentException(c.name());
        }
    }

    /** A bzImage skeleton: setup header fields only, payload right after the setup sectors. */
    static byte[] bzImage(byte[] payload) {
        int pm = (SETUP_SECTS + 1) * BzImageSetupHeader.SECTOR_SIZE;
        ByteBuffer b = ByteBuffer.allocate(pm + 16 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(BzImageSetupHeader.SETUP_SECTS, (byte) SETUP_SECTS);
        b.putShort(BzImageSetupHeader.BOOT_FLAG, (short) BzImageSetupHeader.BOOT_FLAG_MAGIC);
        b.putInt(BzImageSetupHeader.HEADER, BzImageSetupHeader.HEADER_MAGIC);
        b.putShort(BzImageSetupHeader.VERSION, (short) 0x020F);
        b.putInt(BzImageSetupHeader.PAYLOAD_OFFSET, 16);
        b.putInt(BzImageSetupHeader.PAYLOAD_LENGTH, payload.length);
        b.position(pm + 16);
        b.put(payload);
        return b.array();
    }

    static byte[] minimalElf(int machine) {
        // System V gABI Elf64_Ehdr (64 bytes) and one Elf64_Phdr (56 bytes)
        ByteBuffer b = ByteBuffer.allocate(ElfVmlinuxLoader.EHDR_SIZE + ElfVmlinuxLoader.PHDR_SIZE + 300)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}); // magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT
        b.putShort(16, (short) 2);                         // e_type ET_EXEC
        b.putShort(18, (short) machine);                   // e_machine
        b.putLong(24, 0x1000000);                          // e_entry
        b.putLong(32, ElfVmlinuxLoader.EHDR_SIZE);         // e_phoff
        b.putShort(54, (short) ElfVmlinuxLoader.PHDR_SIZE); // e_phentsize
        b.putShort(56, (short) 1);                         // e_phnum
        b.putInt(ElfVmlinuxLoader.EHDR_SIZE, 1);           // p_type PT_LOAD
        return b.array();
    }

    static byte[] arm64Image() {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(16, 4096);                  // image_size (booting.rst header)
        b.putLong(24, 0xA);                   // flags: 4K pages, place anywhere
        b.putInt(Arm64ImageHeader.MAGIC_OFFSET, Arm64ImageHeader.ARM64_IMAGE_MAGIC);
        return b.array();
    }

    static byte[] zboot(byte[] payload, String compType) {
        int offset = 512;
        ByteBuffer b = ByteBuffer.allocate(offset + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {'M', 'Z', 0, 0, 'z', 'i', 'm', 'g'});
        b.putInt(ZbootHeader.PAYLOAD_OFFSET, offset);
        b.putInt(ZbootHeader.PAYLOAD_SIZE, payload.length);
        b.position(ZbootHeader.COMP_TYPE);
        b.put(compType.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.position(offset);
        b.put(payload);
        return b.array();
    }

    static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
