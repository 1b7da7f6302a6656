package dev.linuxvm.engine.boot.x86;

import dev.linuxvm.engine.VmmException.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * struct boot_params, the "zero page" (arch/x86/include/uapi/asm/bootparam.h;
 * Documentation/arch/x86/zero-page.rst): 4096 bytes with the {@link SetupHeader} at 0x1F1
 * and the e820 map. Only the fields a 64-bit direct boot needs are modelled; all others
 * stay zero, which also keeps {@code sentinel} (0x1EF) zero so the kernel's
 * sanitize_boot_params() leaves our fields alone.
 */
public final class BootParams {
    /** sizeof(struct boot_params). */
    public static final int SIZE = 4096;
    /** E820_MAX_ENTRIES_ZEROPAGE. */
    public static final int E820_MAX_ENTRIES = 128;

    // Offsets from zero-page.rst.
    static final int ACPI_RSDP_ADDR = 0x070;
    static final int EXT_RAMDISK_IMAGE = 0x0C0;
    static final int EXT_RAMDISK_SIZE = 0x0C4;
    static final int EXT_CMD_LINE_PTR = 0x0C8;
    static final int E820_ENTRIES = 0x1E8;
    static final int SENTINEL = 0x1EF;
    static final int E820_TABLE = 0x2D0;

    /** Physical address of the RSDP (protocol 2.14); 0 lets the kernel scan 0xE0000-0xFFFFF. */
    public long acpi_rsdp_addr;
    /** High 32 bits of ramdisk_image (for initrds above 4 GiB; we keep them below). */
    public long ext_ramdisk_image;
    /** High 32 bits of ramdisk_size. */
    public long ext_ramdisk_size;
    /** High 32 bits of cmd_line_ptr. */
    public long ext_cmd_line_ptr;
    public final SetupHeader hdr = new SetupHeader();
    private final List<E820Entry> e820_table = new ArrayList<>();

    /** Appends a range to the e820 map; ranges must be added in ascending, non-overlapping order. */
    public BootParams addE820(E820Entry entry) {
        if (e820_table.size() == E820_MAX_ENTRIES) {
            throw new X86BootException(Kind.INTERNAL, "e820 map is full (" + E820_MAX_ENTRIES + " entries in the zero page)");
        }
        if (!e820_table.isEmpty() && entry.addr() < e820_table.get(e820_table.size() - 1).end()) {
            throw new IllegalArgumentException("e820 entry " + entry + " overlaps or precedes "
                    + e820_table.get(e820_table.size() - 1));
        }
        e820_table.add(entry);
        return this;
    }

    public List<E820Entry> e820Table() {
        return List.copyOf(e820_table);
    }

    /** Serialises to the 4096-byte zero page. */
    public byte[] toBytes() {
        ByteBuffer buf = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(ACPI_RSDP_ADDR, acpi_rsdp_addr);
        buf.putInt(EXT_RAMDISK_IMAGE, SetupHeader.u32("ext_ramdisk_image", ext_ramdisk_image));
        buf.putInt(EXT_RAMDISK_SIZE, SetupHeader.u32("ext_ramdisk_size", ext_ramdisk_size));
        buf.putInt(EXT_CMD_LINE_PTR, SetupHeader.u32("ext_cmd_line_ptr", ext_cmd_line_ptr));
        buf.put(E820_ENTRIES, (byte) e820_table.size());
        hdr.writeTo(buf);
        for (int i = 0; i < e820_table.size(); i++) {
            e820_table.get(i).writeTo(buf, E820_TABLE + i * E820Entry.SIZE);
        }
        return buf.array();
    }
}
