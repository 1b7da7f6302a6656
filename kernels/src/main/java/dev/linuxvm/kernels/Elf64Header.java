package dev.linuxvm.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The ELF64 file header and program headers, read only to check provisioned files (System V
 * gABI, "ELF Header" / "Program Header"; Linux {@code include/uapi/linux/elf.h}). Little-endian
 * files only.
 */
public record Elf64Header(int e_type, int e_machine, long e_entry, long e_phoff, int e_phentsize,
                          int e_phnum, List<ProgramHeader> programHeaders) {
    /** Size of the ELF64 file header. */
    public static final int SIZE = 64;
    /** Size of one ELF64 program header. */
    public static final int PHDR_SIZE = 56;
    /** e_ident[EI_CLASS] = ELFCLASS64. */
    public static final int ELFCLASS64 = 2;
    /** e_ident[EI_DATA] = ELFDATA2LSB. */
    public static final int ELFDATA2LSB = 1;
    public static final int EI_CLASS = 4;
    public static final int EI_DATA = 5;
    public static final int E_TYPE = 16;
    public static final int E_MACHINE = 18;
    public static final int E_ENTRY = 24;
    public static final int E_PHOFF = 32;
    public static final int E_PHENTSIZE = 54;
    public static final int E_PHNUM = 56;
    /** Elf64_Phdr field offsets: p_type(4) p_flags(4) p_offset(8) p_vaddr(8) p_paddr(8) p_filesz(8) p_memsz(8) p_align(8). */
    public static final int P_TYPE = 0;
    public static final int P_OFFSET = 8;
    public static final int P_VADDR = 16;
    public static final int P_PADDR = 24;
    public static final int P_FILESZ = 32;
    public static final int P_MEMSZ = 40;
    /** e_machine values. */
    public static final int EM_X86_64 = 62;
    public static final int EM_AARCH64 = 183;
    /** p_type of a loadable segment. */
    public static final int PT_LOAD = 1;

    /** One program header: type, file offset, physical address, sizes. */
    public record ProgramHeader(int p_type, long p_offset, long p_vaddr, long p_paddr, long p_filesz, long p_memsz) { }

    public static boolean isElf(byte[] f) {
        return f.length >= 4 && f[0] == 0x7f && f[1] == 'E' && f[2] == 'L' && f[3] == 'F';
    }

    public static Elf64Header parse(byte[] f) {
        if (!isElf(f) || f.length < SIZE) {
            throw new KernelFormatException("not an ELF file (no 7f 'E' 'L' 'F' magic)");
        }
        if (f[EI_CLASS] != ELFCLASS64 || f[EI_DATA] != ELFDATA2LSB) {
            throw new KernelFormatException("ELF file is not 64-bit little-endian (class " + f[EI_CLASS]
                + ", data " + f[EI_DATA] + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(E_PHOFF);
        int phentsize = b.getShort(E_PHENTSIZE) & 0xffff;
        int phnum = b.getShort(E_PHNUM) & 0xffff;
        List<ProgramHeader> phdrs = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            long at = phoff + (long) i * phentsize;
            if (phentsize < PHDR_SIZE || at + PHDR_SIZE > f.length) {
                throw new KernelFormatException("ELF program header " + i + " lies outside the file");
            }
            int p = (int) at;
            phdrs.add(new ProgramHeader(b.getInt(p + P_TYPE), b.getLong(p + P_OFFSET), b.getLong(p + P_VADDR),
                b.getLong(p + P_PADDR), b.getLong(p + P_FILESZ), b.getLong(p + P_MEMSZ)));
        }
        return new Elf64Header(b.getShort(E_TYPE) & 0xffff, b.getShort(E_MACHINE) & 0xffff, b.getLong(E_ENTRY),
            phoff, phentsize, phnum, List.copyOf(phdrs));
    }

    public List<ProgramHeader> loadSegments() {
        return programHeaders.stream().filter(p -> p.p_type() == PT_LOAD).toList();
    }
}
