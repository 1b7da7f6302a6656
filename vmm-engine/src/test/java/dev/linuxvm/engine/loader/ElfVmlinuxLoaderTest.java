package dev.linuxvm.engine.loader;

import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.VmmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ElfVmlinuxLoaderTest {
    @Test
    void elf64_header_and_program_header_sizes_are_pinned() {
        // System V gABI: sizeof(Elf64_Ehdr) 64, sizeof(Elf64_Phdr) 56 (include/uapi/linux/elf.h)
        assertThat(ElfVmlinuxLoader.EHDR_SIZE).isEqualTo(64);
        assertThat(ElfVmlinuxLoader.PHDR_SIZE).isEqualTo(56);
    }

    @Test
    void loader_errors_are_bad_input() {
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(new byte[4096]))
                .isInstanceOf(KernelImageException.class)
                .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.BAD_INPUT);
        assertThatThrownBy(() -> Arm64Image.parse("Image", new byte[4096]))
                .isInstanceOf(Arm64ImageException.class)
                .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.BAD_INPUT);
    }


    @Test
    void places_each_PT_LOAD_at_its_p_paddr_with_bss_as_zero_fill() {
        ElfKernel kernel = ElfVmlinuxLoader.load(SyntheticElf.smallKernel().note(new byte[] {9, 9}).build());

        assertThat(kernel.entry()).isEqualTo(0x100_0000L);
        assertThat(kernel.segments()).hasSize(2); // the PT_NOTE is not loaded
        MemoryRegion text = kernel.segments().get(0);
        assertThat(text.address()).isEqualTo(0x100_0000L);
        assertThat(text.data()).containsExactly(0xF4, 0xEB, 0xFD);
        assertThat(text.size()).isEqualTo(3);
        assertThat(text.name()).isEqualTo("kernel PT_LOAD 0 (RX)");
        MemoryRegion data = kernel.segments().get(1);
        assertThat(data.address()).isEqualTo(0x120_0000L);
        assertThat(data.data()).containsExactly(1, 2, 3, 4);
        assertThat(data.size()).isEqualTo(0x3000); // p_memsz: the rest is BSS, zero in guest RAM
        assertThat(kernel.loadStart()).isEqualTo(0x100_0000L);
        assertThat(kernel.loadEnd()).isEqualTo(0x120_3000L);
    }

    @Test
    void converts_a_virtual_e_entry_to_the_physical_address_of_the_same_byte() {
        ElfKernel kernel = ElfVmlinuxLoader.load(SyntheticElf.smallKernel().entry(0xFFFF_FFFF_8100_0002L).build());
        assertThat(kernel.entry()).isEqualTo(0x100_0002L);
    }

    @Test
    void loads_the_same_kernel_from_a_file_as_from_bytes(@TempDir Path dir) throws IOException {
        byte[] elf = SyntheticElf.smallKernel().build();
        Path file = Files.write(dir.resolve("vmlinux"), elf);
        ElfKernel fromFile = ElfVmlinuxLoader.load(file);
        ElfKernel fromBytes = ElfVmlinuxLoader.load(elf);
        assertThat(fromFile.entry()).isEqualTo(fromBytes.entry());
        for (int i = 0; i < 2; i++) {
            assertThat(fromFile.segments().get(i).address()).isEqualTo(fromBytes.segments().get(i).address());
            assertThat(fromFile.segments().get(i).data()).isEqualTo(fromBytes.segments().get(i).data());
        }
    }

    @Test
    void rejects_bzImage_with_a_message_naming_vmlinux() {
        byte[] bz = new byte[4096];
        bz[0] = 'M';
        bz[1] = 'Z';
        System.arraycopy("HdrS".getBytes(), 0, bz, 0x202, 4);
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(bz))
                .isInstanceOf(KernelImageException.class)
                .isInstanceOf(VmmException.class)
                .hasMessage("kernel image (4096 bytes) is an x86 bzImage (compressed kernel with a real-mode setup"
                        + " header): pass the uncompressed vmlinux ELF (extract it with the kernel's"
                        + " scripts/extract-vmlinux: extract-vmlinux vmlinuz > vmlinux)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "gzip,    1f8b0800",
            "LZ4,     02214c18",
            "xz,      fd377a585a00",
            "zstd,    28b52ffd",
            "bzip2,   425a6839",
            "LZMA,    5d00008000",
            "LZO,     894c5a4f000d0a1a0a",
    })
    void rejects_compressed_payloads_naming_the_compression_and_extract_vmlinux(String name, String magic) {
        byte[] file = Arrays.copyOf(HexFormat.of().parseHex(magic), 1024);
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(file))
                .isInstanceOf(KernelImageException.class)
                .hasMessageContaining("is " + name)
                .hasMessageEndingWith("-compressed: decompress it to the vmlinux ELF first"
                        + " (scripts/extract-vmlinux handles every kernel compression)");
    }

    @Test
    void rejects_an_arm64_Image() {
        byte[] image = new byte[4096];
        System.arraycopy(new byte[] {'A', 'R', 'M', 0x64}, 0, image, 0x38, 4);
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(image))
                .isInstanceOf(KernelImageException.class)
                .hasMessage("kernel image (4096 bytes) is an arm64 Image, not an x86-64 kernel: pass an x86-64"
                        + " vmlinux ELF, or boot this kernel as an aarch64 guest");
    }

    @Test
    void rejects_an_elf_for_another_machine() {
        byte[] arm = SyntheticElf.smallKernel().machine(183).build();
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(arm))
                .isInstanceOf(KernelImageException.class)
                .hasMessageEndingWith("is an ELF file for AArch64 (e_machine 183), not x86-64: pass an x86-64"
                        + " vmlinux (an arm64 kernel boots as an aarch64 guest from its Image file)");
        byte[] riscv = SyntheticElf.smallKernel().machine(243).build();
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(riscv))
                .hasMessageEndingWith("is an ELF file for RISC-V (e_machine 243), not x86-64: pass an x86-64 vmlinux");
    }

    @Test
    void rejects_32_bit_and_big_endian_elf() {
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(SyntheticElf.smallKernel().elfClass(1).build()))
                .isInstanceOf(KernelImageException.class)
                .hasMessageEndingWith("is a 32-bit ELF (EI_CLASS 1), not ELF64: pass a 64-bit x86-64 vmlinux");
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(SyntheticElf.smallKernel().elfData(2).build()))
                .isInstanceOf(KernelImageException.class)
                .hasMessageEndingWith("is a big-endian ELF (EI_DATA 2): pass a little-endian x86-64 vmlinux");
    }

    @Test
    void rejects_an_elf_that_is_not_an_executable() {
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(SyntheticElf.smallKernel().type(1).build()))
                .isInstanceOf(KernelImageException.class)
                .hasMessageEndingWith("is an ELF of type 1, not ET_EXEC (2): pass the kernel's vmlinux,"
                        + " not a module or object file");
    }

    @Test
    void rejects_a_file_that_is_no_kernel_at_all() {
        assertThatThrownBy(() -> ElfVmlinuxLoader.load("#!/bin/sh\necho hello\n".getBytes()))
                .isInstanceOf(KernelImageException.class)
                .hasMessageStartingWith("kernel image (21 bytes) is not a recognised kernel format"
                        + " (no ELF magic 7F 45 4C 46): pass the uncompressed vmlinux ELF");
    }

    @Test
    void rejects_a_truncated_elf_header() {
        byte[] cut = Arrays.copyOf(SyntheticElf.smallKernel().build(), 40);
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(cut))
                .isInstanceOf(KernelImageException.class)
                .hasMessage("kernel image (40 bytes) is truncated: its ELF header end at byte 64 but the file"
                        + " has 40 bytes: copy the complete vmlinux again");
    }

    @Test
    void rejects_truncated_program_headers() {
        byte[] cut = Arrays.copyOf(SyntheticElf.smallKernel().build(), 64 + 56 + 10);
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(cut))
                .isInstanceOf(KernelImageException.class)
                .hasMessageContaining("is truncated: its program headers end at byte 176 but the file has 130 bytes");
    }

    @Test
    void rejects_truncated_segment_data() {
        byte[] elf = SyntheticElf.smallKernel().build();
        byte[] cut = Arrays.copyOf(elf, elf.length - 1);
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(cut))
                .isInstanceOf(KernelImageException.class)
                .hasMessageContaining("is truncated: its PT_LOAD 1 data end at byte " + elf.length);
    }

    /** Overwrites one little-endian u64 of an ELF built by {@link SyntheticElf}. */
    private static byte[] withLong(byte[] elf, int offset, long value) {
        java.nio.ByteBuffer.wrap(elf).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(offset, value);
        return elf;
    }

    @Test
    void rejects_an_e_phoff_whose_end_overflows_naming_the_field() {
        // Issue #12: e_phoff + e_phnum * 56 wrapped to a negative end and read at index -9.
        byte[] elf = withLong(SyntheticElf.smallKernel().build(), ElfVmlinuxLoader.E_PHOFF, Long.MAX_VALUE - 8);
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(elf))
                .isInstanceOf(KernelImageException.class)
                .hasMessageContaining("e_phoff 0x7ffffffffffffff7 puts its 2 program headers past the end of the file");
    }

    @Test
    void rejects_an_e_phoff_with_the_sign_bit_set_naming_the_field() {
        byte[] elf = withLong(SyntheticElf.smallKernel().build(), ElfVmlinuxLoader.E_PHOFF, Long.MIN_VALUE);
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(elf))
                .isInstanceOf(KernelImageException.class)
                .hasMessageContaining("e_phoff 0x8000000000000000 puts its 2 program headers past the end");
    }

    @Test
    void rejects_a_p_offset_whose_end_overflows_naming_the_fields() {
        // p_offset + p_filesz overflowed Math.addExact into a raw ArithmeticException.
        int phdr0 = ElfVmlinuxLoader.EHDR_SIZE;
        byte[] elf = withLong(SyntheticElf.smallKernel().build(), phdr0 + ElfVmlinuxLoader.P_OFFSET, Long.MAX_VALUE);
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(elf))
                .isInstanceOf(KernelImageException.class)
                .hasMessageContaining("PT_LOAD 0 has p_offset 0x7fffffffffffffff and p_filesz 0x3, past the end of the file");
    }

    @Test
    void names_p_offset_and_p_filesz_of_truncated_segment_data() {
        byte[] elf = SyntheticElf.smallKernel().build();
        byte[] cut = Arrays.copyOf(elf, elf.length - 1);
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(cut))
                .isInstanceOf(KernelImageException.class)
                .hasMessageContaining("(p_offset 0xb3, p_filesz 0x4): copy the complete vmlinux again");
    }

    @Test
    void rejects_a_segment_whose_p_paddr_plus_p_memsz_overflows_naming_the_fields() {
        // MemoryRegion's Math.addExact threw a raw ArithmeticException.
        int phdr0 = ElfVmlinuxLoader.EHDR_SIZE;
        byte[] elf = withLong(SyntheticElf.smallKernel().build(), phdr0 + ElfVmlinuxLoader.P_MEMSZ, Long.MAX_VALUE);
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(elf))
                .isInstanceOf(KernelImageException.class)
                .hasMessageContaining("PT_LOAD 0 has p_paddr 0x1000000 and p_memsz 0x7fffffffffffffff, which end past"
                        + " the 64-bit address space");
    }

    @Test
    void names_the_memory_needed_for_a_segment_that_ends_near_the_top_of_the_address_space() {
        // The rounding (end + 1 MiB - 1) overflowed to a negative size in the message.
        ElfKernel kernel = ElfVmlinuxLoader.load(SyntheticElf.x86Kernel().entry(0x100_0000)
                .load(5, 0x100_0000, 0x100_0000, new byte[1], Long.MAX_VALUE - 0x100_0000).build());
        assertThatThrownBy(() -> kernel.requireInside(0x10_0000, 1L << 30))
                .isInstanceOf(KernelImageException.class)
                .hasMessageEndingWith("give the guest more than 8796093022208 MiB of memory");
    }

    @Test
    void rejects_a_truncated_file_read_from_disk_with_its_path(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("vmlinux"), SyntheticElf.smallKernel().build());
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() - 2);
        }
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(file))
                .isInstanceOf(KernelImageException.class)
                .hasMessageStartingWith("kernel image " + file + " is truncated: its PT_LOAD 1 data");
    }

    @Test
    void rejects_a_missing_file_naming_it(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(missing))
                .isInstanceOf(KernelImageException.class)
                .hasMessageStartingWith("cannot read kernel image " + missing);
    }

    @Test
    void rejects_an_elf_without_loadable_segments() {
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(SyntheticElf.x86Kernel().note(new byte[4]).build()))
                .isInstanceOf(KernelImageException.class)
                .hasMessageContaining("has no PT_LOAD segments");
    }

    @Test
    void rejects_an_entry_point_outside_every_segment() {
        assertThatThrownBy(() -> ElfVmlinuxLoader.load(SyntheticElf.smallKernel().entry(0x500_0000).build()))
                .isInstanceOf(KernelImageException.class)
                .hasMessageContaining("e_entry 0x5000000 is in no PT_LOAD segment");
    }

    @Test
    void rejects_segments_outside_guest_ram_naming_the_memory_needed() {
        ElfKernel kernel = ElfVmlinuxLoader.load(SyntheticElf.smallKernel().build());
        assertThatThrownBy(() -> kernel.requireInside(0x10_0000, 0x120_1000))
                .isInstanceOf(KernelImageException.class)
                .hasMessage("kernel kernel PT_LOAD 1 (RW) [0x1200000-0x1203000) is outside guest RAM"
                        + " [0x0-0x1201000): give the guest more than 19 MiB of memory");
        kernel.requireInside(0x10_0000, 0x120_3000); // exactly fits
    }

    @Test
    void rejects_segments_below_the_boot_structures() {
        ElfKernel low = ElfVmlinuxLoader.load(SyntheticElf.x86Kernel().entry(0x8000)
                .load(5, 0x8000, 0x8000, new byte[16], 16).build());
        assertThatThrownBy(() -> low.requireInside(0x10_0000, 1L << 30))
                .isInstanceOf(KernelImageException.class)
                .hasMessageContaining("starts below 0x100000, where the boot structures live");
    }

}
