package dev.linuxvm.engine.boot.x86;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Identity-mapped 4-level page tables for the 64-bit entry: one PML4, one PDPT and one page
 * directory per GiB of 2 MiB pages, covering {@link X86Layout#IDENTITY_MAPPED_SIZE}
 * (Intel SDM vol. 3A §4.5 "4-Level Paging"; the boot protocol requires the kernel, zero page
 * and command line to be identity mapped). Laid out contiguously from
 * {@link X86Layout#PAGE_TABLES_START}: PML4, PDPT, PD 0, PD 1, ...
 */
public final class PageTables {
    private PageTables() {
    }

    /** Bytes per paging structure (512 entries of 8 bytes). */
    public static final int TABLE_SIZE = 4096;
    /** Bytes per entry. */
    public static final int ENTRY_SIZE = 8;
    /** Bytes one 2 MiB large page maps. */
    public static final long LARGE_PAGE_SIZE = 2L << 20;
    /** Bytes one page directory maps (512 × 2 MiB). */
    public static final long PD_SPAN = 512 * LARGE_PAGE_SIZE;
    /** Page directories needed for the identity map. */
    public static final int PD_COUNT = (int) (X86Layout.IDENTITY_MAPPED_SIZE / PD_SPAN);
    /** Size of the whole block: PML4 + PDPT + the page directories. */
    public static final int SIZE = (2 + PD_COUNT) * TABLE_SIZE;

    /** Guest address of the PML4; this is CR3. */
    public static final long PML4_START = X86Layout.PAGE_TABLES_START;
    /** Guest address of the PDPT. */
    public static final long PDPT_START = PML4_START + TABLE_SIZE;
    /** Guest address of the first page directory. */
    public static final long PD_START = PDPT_START + TABLE_SIZE;

    /** Entry bit 0: present. */
    public static final long PRESENT = 1L << 0;
    /** Entry bit 1: writable. */
    public static final long WRITABLE = 1L << 1;
    /** PDE bit 7: PS, the entry maps a 2 MiB page. */
    public static final long PAGE_SIZE_2M = 1L << 7;

    /** The tables as they go to {@link X86Layout#PAGE_TABLES_START}. */
    public static byte[] toBytes() {
        ByteBuffer buf = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        // PML4[0] -> PDPT (covers the first 512 GiB).
        buf.putLong(0, PDPT_START | PRESENT | WRITABLE);
        for (int pd = 0; pd < PD_COUNT; pd++) {
            // PDPT[pd] -> page directory pd (1 GiB each).
            buf.putLong(TABLE_SIZE + pd * ENTRY_SIZE, (PD_START + (long) pd * TABLE_SIZE) | PRESENT | WRITABLE);
            for (int i = 0; i < 512; i++) {
                long physical = pd * PD_SPAN + i * LARGE_PAGE_SIZE;
                buf.putLong((2 + pd) * TABLE_SIZE + i * ENTRY_SIZE, physical | PRESENT | WRITABLE | PAGE_SIZE_2M);
            }
        }
        return buf.array();
    }
}
