package dev.linuxvm.engine.boot.arm64;

import static org.assertj.core.api.Assertions.assertThat;

import dev.linuxvm.engine.efi.EfiMemoryAttribute;
import dev.linuxvm.engine.efi.EfiMemoryDescriptor;
import dev.linuxvm.engine.efi.EfiMemoryMap;
import dev.linuxvm.engine.efi.EfiMemoryType;
import java.util.List;
import org.junit.jupiter.api.Test;

class Arm64EfiTablesTest {

    @Test
    void blob_layout_keeps_every_structure_8_byte_aligned_and_in_order() {
        assertThat(Arm64EfiTables.VENDOR_OFFSET).isEqualTo(120);          // after EFI_SYSTEM_TABLE
        assertThat(Arm64EfiTables.CONFIG_OFFSET).isEqualTo(136);          // "linuxvm\0" UTF-16 = 16 bytes
        assertThat(Arm64EfiTables.RT_PROPERTIES_OFFSET).isEqualTo(184);   // 2 x 24-byte entries
        assertThat(Arm64EfiTables.MEMORY_MAP_OFFSET).isEqualTo(192);      // 8-byte RT properties table
    }

    @Test
    void result_points_at_system_table_and_memory_map() {
        EfiMemoryMap map = new EfiMemoryMap(List.of(EfiMemoryDescriptor.range(EfiMemoryType.EfiConventionalMemory,
                0x4000_0000L, 0x6000_0000L, EfiMemoryAttribute.EFI_MEMORY_WB)));
        Arm64EfiTables.Result r = Arm64EfiTables.build(0x4010_1000L, 0x4010_0000L, map);
        assertThat(r.systemTable()).isEqualTo(0x4010_1000L);
        assertThat(r.mmapStart()).isEqualTo(0x4010_1000L + 192);
        assertThat(r.mmapSize()).isEqualTo(48);
        assertThat(r.blob()).hasSize(192 + 48);
    }
}
