package dev.linuxvm.engine.boot.x86;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The boot GDT: two null descriptors, then a flat 64-bit code segment at selector 0x10
 * (__BOOT_CS) and a flat data segment at 0x18 (__BOOT_DS), the selectors the 64-bit boot
 * protocol names (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"). Descriptor format:
 * Intel SDM vol. 3A §3.4.5 "Segment Descriptors".
 */
public final class Gdt {
    private Gdt() {
    }

    /** Selector of the 64-bit code segment, __BOOT_CS. */
    public static final int BOOT_CS = 0x10;
    /** Selector of the data segment, __BOOT_DS. */
    public static final int BOOT_DS = 0x18;
    /** Number of descriptors: null, null, code64, data. */
    public static final int ENTRIES = 4;
    /** Bytes per descriptor. */
    public static final int DESCRIPTOR_SIZE = 8;
    /** Size of the table in bytes. */
    public static final int SIZE = ENTRIES * DESCRIPTOR_SIZE;
    /** GDTR.limit: size minus one. */
    public static final int LIMIT = SIZE - 1;

    /** Access byte: P=1, DPL=0, S=1 (code/data), type 0xB = execute/read, accessed. */
    public static final int ACCESS_CODE = 0x9B;
    /** Access byte: P=1, DPL=0, S=1, type 0x3 = read/write, accessed. */
    public static final int ACCESS_DATA = 0x93;
    /** Flags nibble: G=1 (4 KiB granularity), L=1 (64-bit code), D/B=0 (required with L). */
    public static final int FLAGS_CODE64 = 0xA;
    /** Flags nibble: G=1, D/B=1 (32-bit default size), L=0. */
    public static final int FLAGS_DATA = 0xC;
    /** Largest 20-bit limit: with G=1 the segment spans 4 GiB. */
    public static final int FLAT_LIMIT = 0xF_FFFF;

    /** The code64 descriptor, 0x00AF9B000000FFFF. */
    public static final long CODE64 = descriptor(0, FLAT_LIMIT, ACCESS_CODE, FLAGS_CODE64);
    /** The data descriptor, 0x00CF93000000FFFF. */
    public static final long DATA = descriptor(0, FLAT_LIMIT, ACCESS_DATA, FLAGS_DATA);

    /**
     * Encodes a segment descriptor: limit[15:0], base[23:0], access, limit[19:16], flags,
     * base[31:24] (SDM vol. 3A Figure 3-8).
     */
    public static long descriptor(long base, int limit, int access, int flags) {
        return (limit & 0xFFFFL)
                | (base & 0xFF_FFFFL) << 16
                | (access & 0xFFL) << 40
                | ((limit >>> 16) & 0xFL) << 48
                | (flags & 0xFL) << 52
                | ((base >>> 24) & 0xFFL) << 56;
    }

    /** The table as it goes to {@link X86Layout#GDT_START}. */
    public static byte[] toBytes() {
        ByteBuffer buf = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(BOOT_CS, CODE64);
        buf.putLong(BOOT_DS, DATA);
        return buf.array();
    }
}
