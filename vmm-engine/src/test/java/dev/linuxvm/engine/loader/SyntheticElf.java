package dev.linuxvm.engine.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Builds small ELF64 files for loader tests (System V gABI ELF header and program headers). */
public final class SyntheticElf {
    private record Segment(int type, int flags, long vaddr, long paddr, byte[] data, long memsz) {
    }

    private int elfClass = 2;      // ELFCLASS64
    private int elfData = 1;       // ELFDATA2LSB
    private int type = 2;          // ET_EXEC
    private int machine = 62;      // EM_X86_64
    private long entry = 0x100_0000;
    private final List<Segment> segments = new ArrayList<>();

    public static SyntheticElf x86Kernel() {
        return new SyntheticElf();
    }

    /** A two-segment kernel like Debian's: text at 16 MiB, data + BSS at 18 MiB. */
    public static SyntheticElf smallKernel() {
        return x86Kernel()
                .load(5, 0xFFFF_FFFF_8100_0000L, 0x100_0000, new byte[] {(byte) 0xF4, (byte) 0xEB, (byte) 0xFD}, 3)
                .load(6, 0xFFFF_FFFF_8120_0000L, 0x120_0000, new byte[] {1, 2, 3, 4}, 0x3000);
    }

    public SyntheticElf elfClass(int value) {
        elfClass = value;
        return this;
    }

    public SyntheticElf elfData(int value) {
        elfData = value;
        return this;
    }

    public SyntheticElf type(int value) {
        type = value;
        return this;
    }

    public SyntheticElf machine(int value) {
        machine = value;
        return this;
    }

    public SyntheticElf entry(long value) {
        entry = value;
        return this;
    }

    /** Adds a PT_LOAD. */
    public SyntheticElf load(int flags, long vaddr, long paddr, byte[] data, long memsz) {
        segments.add(new Segment(1, flags, vaddr, paddr, data, memsz));
        return this;
    }

    /** Adds a PT_NOTE (ignored by the loader). */
    public SyntheticElf note(byte[] data) {
        segments.add(new Segment(4, 4, 0, 0, data, data.length));
        return this;
    }

    public byte[] build() {
        int phoff = 64;
        int dataStart = phoff + 56 * segments.size();
        int total = dataStart + segments.stream().mapToInt(s -> s.data.length).sum();
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', (byte) elfClass, (byte) elfData, 1, 0}); // e_ident
        b.putShort(16, (short) type);            // e_type
        b.putShort(18, (short) machine);         // e_machine
        b.putInt(20, 1);                         // e_version
        b.putLong(24, entry);                    // e_entry
        b.putLong(32, phoff);                    // e_phoff
        b.putShort(52, (short) 64);              // e_ehsize
        b.putShort(54, (short) 56);              // e_phentsize
        b.putShort(56, (short) segments.size()); // e_phnum
        int offset = dataStart;
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            int ph = phoff + 56 * i;
            b.putInt(ph, s.type);                // p_type
            b.putInt(ph + 4, s.flags);           // p_flags
            b.putLong(ph + 8, offset);           // p_offset
            b.putLong(ph + 16, s.vaddr);         // p_vaddr
            b.putLong(ph + 24, s.paddr);         // p_paddr
            b.putLong(ph + 32, s.data.length);   // p_filesz
            b.putLong(ph + 40, s.memsz);         // p_memsz
            b.putLong(ph + 48, 0x20_0000);       // p_align
            b.put(offset, s.data);
            offset += s.data.length;
        }
        return b.array();
    }
}
