package dev.linuxvm.engine.fdt;

import java.nio.ByteBuffer;

/**
 * The flattened device tree header, {@code struct fdt_header} (Devicetree Specification
 * v0.4, section 5.2; libfdt {@code fdt.h}). Like every other multi-byte value in a DTB, its
 * fields are stored big-endian; this package writes and reads through big-endian buffers only.
 *
 * @param magic             {@link #FDT_MAGIC}
 * @param totalsize         size of the whole blob in bytes
 * @param off_dt_struct     offset of the structure block
 * @param off_dt_strings    offset of the strings block
 * @param off_mem_rsvmap    offset of the memory reservation block
 * @param version           format version ({@link #VERSION})
 * @param last_comp_version lowest version this blob is backwards compatible with
 * @param boot_cpuid_phys   physical id of the boot CPU
 * @param size_dt_strings   length of the strings block
 * @param size_dt_struct    length of the structure block
 */
public record FdtHeader(int magic, int totalsize, int off_dt_struct, int off_dt_strings, int off_mem_rsvmap,
                        int version, int last_comp_version, int boot_cpuid_phys, int size_dt_strings,
                        int size_dt_struct) {
    /** Size of the header: ten 32-bit fields. */
    public static final int SIZE = 40;
    /** Spec 5.2: the value 0xd00dfeed. */
    public static final int FDT_MAGIC = 0xd00dfeed;
    /** Spec 5.2: this spec describes version 17... */
    public static final int VERSION = 17;
    /** ...which is backwards compatible with version 16. */
    public static final int LAST_COMP_VERSION = 16;

    /** Writes the ten fields, in order, into a big-endian buffer. */
    public void writeTo(ByteBuffer out) {
        FdtWriter.requireBigEndian(out);
        out.putInt(magic);
        out.putInt(totalsize);
        out.putInt(off_dt_struct);
        out.putInt(off_dt_strings);
        out.putInt(off_mem_rsvmap);
        out.putInt(version);
        out.putInt(last_comp_version);
        out.putInt(boot_cpuid_phys);
        out.putInt(size_dt_strings);
        out.putInt(size_dt_struct);
    }

    /** Reads the ten fields from a big-endian buffer at its position. */
    public static FdtHeader readFrom(ByteBuffer in) {
        FdtWriter.requireBigEndian(in);
        return new FdtHeader(in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt(),
                in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt());
    }
}
