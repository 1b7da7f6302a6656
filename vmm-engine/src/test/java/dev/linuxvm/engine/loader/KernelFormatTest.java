package dev.linuxvm.engine.loader;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KernelFormatTest {
    private static byte[] at(int offset, int... magic) {
        byte[] b = new byte[KernelFormat.SNIFF_SIZE];
        for (int i = 0; i < magic.length; i++) {
            b[offset + i] = (byte) magic[i];
        }
        return b;
    }

    private static byte[] with(byte[] b, int offset, int... magic) {
        for (int i = 0; i < magic.length; i++) {
            b[offset + i] = (byte) magic[i];
        }
        return b;
    }

    @Test
    void detects_elf_with_its_machine() {
        KernelFormat x86 = KernelFormat.detect(SyntheticElf.smallKernel().build());
        assertThat(x86).isEqualTo(new KernelFormat(KernelFormat.Kind.ELF, KernelFormat.EM_X86_64));
        assertThat(x86.describe()).isEqualTo("an ELF file for x86-64 (e_machine 62)");

        KernelFormat arm = KernelFormat.detect(SyntheticElf.x86Kernel().machine(183).build());
        assertThat(arm.elfMachine()).isEqualTo(KernelFormat.EM_AARCH64);
        assertThat(arm.describe()).contains("AArch64");
    }

    @Test
    void detects_bzImage_by_HdrS_at_0x202_even_behind_an_MZ_stub() {
        byte[] bz = with(at(0, 'M', 'Z'), 0x202, 'H', 'd', 'r', 'S');
        assertThat(KernelFormat.detect(bz).kind()).isEqualTo(KernelFormat.Kind.BZIMAGE);
    }

    @Test
    void detects_arm64_Image_by_magic_at_0x38_even_with_an_EFI_stub() {
        byte[] image = with(at(0, 'M', 'Z'), 0x38, 'A', 'R', 'M', 0x64);
        assertThat(KernelFormat.detect(image).kind()).isEqualTo(KernelFormat.Kind.ARM64_IMAGE);
    }

    @Test
    void detects_efi_zboot_by_zimg_at_4() {
        byte[] zboot = with(at(0, 'M', 'Z', 0, 0, 'z', 'i', 'm', 'g'), 0x38, 'A', 'R', 'M', 0x64);
        assertThat(KernelFormat.detect(zboot).kind()).isEqualTo(KernelFormat.Kind.EFI_ZBOOT);
    }

    @Test
    void detects_compressed_payloads_by_magic() {
        assertThat(KernelFormat.detect(at(0, 0x1F, 0x8B, 0x08)).kind()).isEqualTo(KernelFormat.Kind.GZIP);
        assertThat(KernelFormat.detect(at(0, 0x02, 0x21, 0x4C, 0x18)).kind()).isEqualTo(KernelFormat.Kind.LZ4);
        assertThat(KernelFormat.detect(at(0, 0x04, 0x22, 0x4D, 0x18)).kind()).isEqualTo(KernelFormat.Kind.LZ4);
        assertThat(KernelFormat.detect(at(0, 0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00)).kind()).isEqualTo(KernelFormat.Kind.XZ);
        assertThat(KernelFormat.detect(at(0, 0x28, 0xB5, 0x2F, 0xFD)).kind()).isEqualTo(KernelFormat.Kind.ZSTD);
        assertThat(KernelFormat.detect(at(0, 'B', 'Z', 'h', '9')).kind()).isEqualTo(KernelFormat.Kind.BZIP2);
        assertThat(KernelFormat.detect(at(0, 0x5D, 0x00, 0x00, 0x80, 0x00)).kind()).isEqualTo(KernelFormat.Kind.LZMA);
        assertThat(KernelFormat.detect(at(0, 0x89, 'L', 'Z', 'O', 0x00, 0x0D, 0x0A, 0x1A, 0x0A)).kind())
                .isEqualTo(KernelFormat.Kind.LZO);
        for (KernelFormat.Kind kind : new KernelFormat.Kind[] {KernelFormat.Kind.GZIP, KernelFormat.Kind.LZ4,
                KernelFormat.Kind.XZ, KernelFormat.Kind.ZSTD, KernelFormat.Kind.BZIP2, KernelFormat.Kind.LZMA,
                KernelFormat.Kind.LZO, KernelFormat.Kind.BZIMAGE, KernelFormat.Kind.EFI_ZBOOT}) {
            assertThat(kind.compressed()).as(kind.name()).isTrue();
        }
    }

    @Test
    void reports_unknown_for_other_bytes_and_short_input() {
        assertThat(KernelFormat.detect(new byte[KernelFormat.SNIFF_SIZE]).kind()).isEqualTo(KernelFormat.Kind.UNKNOWN);
        assertThat(KernelFormat.detect(new byte[0]).kind()).isEqualTo(KernelFormat.Kind.UNKNOWN);
        assertThat(KernelFormat.detect(new byte[] {'B', 'Z', 'h'}).kind()).isEqualTo(KernelFormat.Kind.UNKNOWN);
        assertThat(KernelFormat.detect(new byte[] {0x7F, 'E', 'L', 'F'}))
                .isEqualTo(new KernelFormat(KernelFormat.Kind.ELF, -1));
    }
}
