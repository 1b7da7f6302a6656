package dev.linuxvm.engine.boot.x86;

import java.nio.ByteBuffer;

/**
 * struct boot_e820_entry (arch/x86/include/uapi/asm/bootparam.h), packed: u64 addr, u64 size,
 * u32 type. Types from the ACPI spec's address range types (ACPI 6.5 §15, Table 15.1).
 *
 * @param addr start of the range
 * @param size length in bytes
 * @param type {@link #E820_RAM}, {@link #E820_RESERVED}, {@link #E820_ACPI} ...
 */
public record E820Entry(long addr, long size, int type) {
    /** sizeof(struct boot_e820_entry). */
    public static final int SIZE = 20;
    /** AddressRangeMemory: usable RAM. */
    public static final int E820_RAM = 1;
    /** AddressRangeReserved. */
    public static final int E820_RESERVED = 2;
    /** AddressRangeACPI: ACPI tables, reclaimable after they are read. */
    public static final int E820_ACPI = 3;
    /** AddressRangeNVS. */
    public static final int E820_NVS = 4;

    // Field offsets inside one packed entry.
    static final int ADDR = 0;
    static final int SIZE_FIELD = 8;
    static final int TYPE = 16;

    public E820Entry {
        if (addr < 0 || size <= 0) {
            throw new IllegalArgumentException("e820 range needs addr >= 0 and size > 0: " + addr + "+" + size);
        }
    }

    public long end() {
        return addr + size;
    }

    void writeTo(ByteBuffer buf, int offset) {
        buf.putLong(offset + ADDR, addr);
        buf.putLong(offset + SIZE_FIELD, size);
        buf.putInt(offset + TYPE, type);
    }

    /** The kernel's own spelling, as in its "BIOS-e820:" boot lines. */
    public String typeName() {
        switch (type) {
            case E820_RAM: return "usable";
            case E820_RESERVED: return "reserved";
            case E820_ACPI: return "ACPI data";
            case E820_NVS: return "ACPI NVS";
            default: return "type " + type;
        }
    }

    /** One line in the format of the kernel's "BIOS-e820: [mem 0x...-0x...] usable". */
    @Override
    public String toString() {
        // not String.format: every guest build writes this line (e820.txt), and the first
        // Formatter costs a command-line run milliseconds of its start
        return "[mem 0x" + hex16(addr) + "-0x" + hex16(end() - 1) + "] " + typeName();
    }

    private static String hex16(long value) {
        String hex = Long.toHexString(value);
        return "0".repeat(16 - hex.length()) + hex;
    }
}
