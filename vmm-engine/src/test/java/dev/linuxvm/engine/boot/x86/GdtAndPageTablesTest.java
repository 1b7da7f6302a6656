package dev.linuxvm.engine.boot.x86;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.linuxvm.engine.boot.x86.Hex.bytes;
import static dev.linuxvm.engine.boot.x86.Hex.row;
import static org.assertj.core.api.Assertions.assertThat;

class GdtAndPageTablesTest {
    @Test
    void gdt_golden_bytes() {
        assertThat(Gdt.SIZE).isEqualTo(32);
        assertThat(Gdt.LIMIT).isEqualTo(31);
        assertThat(Gdt.toBytes()).isEqualTo(bytes(
                row("00 00 00 00 00 00 00 00"),   // 0x00 null
                row("00 00 00 00 00 00 00 00"),   // 0x08 null
                // 0x10 __BOOT_CS: limit 0xFFFF, base 0, access 9B (P, S, exec/read, accessed),
                //      limit[19:16] F, flags A (G, L), base[31:24] 0
                row("FF FF 00 00 00 9B AF 00"),
                // 0x18 __BOOT_DS: access 93 (P, S, read/write, accessed), flags C (G, D/B)
                row("FF FF 00 00 00 93 CF 00")));
        assertThat(Gdt.CODE64).isEqualTo(0x00AF_9B00_0000_FFFFL);
        assertThat(Gdt.DATA).isEqualTo(0x00CF_9300_0000_FFFFL);
    }

    @Test
    void descriptor_places_every_base_and_limit_bit() {
        assertThat(Gdt.descriptor(0x1234_5678L, 0xA_BCDE, 0x9B, 0xA)).isEqualTo(0x12AA_9B34_5678_BCDEL);
    }

    @Test
    void page_tables_size_and_placement() {
        assertThat(PageTables.PD_COUNT).isEqualTo(4);
        assertThat(PageTables.SIZE).isEqualTo(6 * 4096);
        assertThat(PageTables.toBytes()).hasSize(PageTables.SIZE);
        assertThat(PageTables.PML4_START).isEqualTo(0x4000);
        assertThat(PageTables.PDPT_START).isEqualTo(0x5000);
        assertThat(PageTables.PD_START).isEqualTo(0x6000);
    }

    @Test
    void page_tables_golden_first_entries() {
        byte[] t = PageTables.toBytes();
        assertThat(Arrays.copyOfRange(t, 0x0000, 0x0010)).isEqualTo(bytes(
                row("03 50 00 00 00 00 00 00"),   // PML4[0] -> PDPT 0x5000, P|RW
                row("00 00 00 00 00 00 00 00"))); // PML4[1] not present
        assertThat(Arrays.copyOfRange(t, 0x1000, 0x1028)).isEqualTo(bytes(
                row("03 60 00 00 00 00 00 00"),   // PDPT[0] -> PD 0x6000 (0-1 GiB)
                row("03 70 00 00 00 00 00 00"),   // PDPT[1] -> PD 0x7000 (1-2 GiB)
                row("03 80 00 00 00 00 00 00"),   // PDPT[2] -> PD 0x8000 (2-3 GiB)
                row("03 90 00 00 00 00 00 00"),   // PDPT[3] -> PD 0x9000 (3-4 GiB)
                row("00 00 00 00 00 00 00 00"))); // PDPT[4] not present
        assertThat(Arrays.copyOfRange(t, 0x2000, 0x2010)).isEqualTo(bytes(
                row("83 00 00 00 00 00 00 00"),   // PD0[0]: 0x0, P|RW|PS (2 MiB)
                row("83 00 20 00 00 00 00 00"))); // PD0[1]: 0x200000
        assertThat(Arrays.copyOfRange(t, 0x5FF8, 0x6000)).isEqualTo(bytes(
                row("83 00 E0 FF 00 00 00 00"))); // PD3[511]: 0xFFE00000, the last 2 MiB below 4 GiB
    }

    @Test
    void page_tables_identity_map_every_2_MiB_below_4_GiB() {
        ByteBuffer t = ByteBuffer.wrap(PageTables.toBytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (long address = 0; address < (4L << 30); address += 2L << 20) {
            int pdpt = (int) (address >>> 30);
            long pdptEntry = t.getLong(4096 + pdpt * 8);
            int pdIndex = (int) ((pdptEntry & ~0xFFFL) - PageTables.PML4_START) / 4096;
            long pde = t.getLong(pdIndex * 4096 + (int) ((address >>> 21) & 511) * 8);
            assertThat(pde & ~0xFFFL).isEqualTo(address);
            assertThat(pde & 0xFFF).isEqualTo(0x83);
        }
    }
}
