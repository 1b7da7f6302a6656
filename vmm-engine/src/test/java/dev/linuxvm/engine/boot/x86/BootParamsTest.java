package dev.linuxvm.engine.boot.x86;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.linuxvm.engine.boot.x86.Hex.bytes;
import static dev.linuxvm.engine.boot.x86.Hex.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BootParamsTest {
    private static BootParams sample() {
        BootParams p = new BootParams();
        p.hdr.cmd_line_ptr = 0x3000;
        p.hdr.code32_start = 0x100_0000;
        p.hdr.ramdisk_image = 0x1FE0_0000;
        p.hdr.ramdisk_size = 0x1234;
        p.addE820(new E820Entry(0, 0x9_0000, E820Entry.E820_RAM));
        p.addE820(new E820Entry(0x9_0000, 0x1_0000, E820Entry.E820_ACPI));
        p.addE820(new E820Entry(0xE_0000, 0x2_0000, E820Entry.E820_RESERVED));
        return p;
    }

    @Test
    void structure_sizes_match_the_kernel_headers() {
        assertThat(BootParams.SIZE).isEqualTo(4096);
        assertThat(new BootParams().toBytes()).hasSize(4096);
        assertThat(SetupHeader.OFFSET).isEqualTo(0x1F1);
        assertThat(SetupHeader.OFFSET + SetupHeader.SIZE).isEqualTo(SetupHeader.END).isEqualTo(0x26C);
        assertThat(E820Entry.SIZE).isEqualTo(20);
        assertThat(BootParams.E820_ENTRIES).isEqualTo(0x1E8);
        assertThat(BootParams.E820_TABLE).isEqualTo(0x2D0);
        // e820_table[128] ends at 0xCD0, where _pad8 starts (bootparam.h).
        assertThat(BootParams.E820_TABLE + BootParams.E820_MAX_ENTRIES * E820Entry.SIZE).isEqualTo(0xCD0);
    }

    @Test
    void setup_header_golden_bytes() {
        byte[] zeroPage = sample().toBytes();
        byte[] expected = bytes(
                row("00"),             // 0x1F1 setup_sects (unused: no real-mode code)
                row("00 00"),          // 0x1F2 root_flags
                row("00 00 00 00"),    // 0x1F4 syssize
                row("00 00"),          // 0x1F8 ram_size
                row("00 00"),          // 0x1FA vid_mode
                row("00 00"),          // 0x1FC root_dev
                row("55 AA"),          // 0x1FE boot_flag 0xAA55
                row("00 00"),          // 0x200 jump
                row("48 64 72 53"),    // 0x202 header "HdrS"
                row("0F 02"),          // 0x206 version 2.15
                row("00 00 00 00"),    // 0x208 realmode_swtch
                row("00 00"),          // 0x20C start_sys_seg
                row("00 00"),          // 0x20E kernel_version
                row("FF"),             // 0x210 type_of_loader: undefined
                row("01"),             // 0x211 loadflags: LOADED_HIGH
                row("00 00"),          // 0x212 setup_move_size
                row("00 00 00 01"),    // 0x214 code32_start 0x1000000
                row("00 00 E0 1F"),    // 0x218 ramdisk_image 0x1FE00000
                row("34 12 00 00"),    // 0x21C ramdisk_size 0x1234
                row("00 00 00 00"),    // 0x220 bootsect_kludge
                row("00 00"),          // 0x224 heap_end_ptr
                row("00"),             // 0x226 ext_loader_ver
                row("00"),             // 0x227 ext_loader_type
                row("00 30 00 00"),    // 0x228 cmd_line_ptr 0x3000
                row("FF FF FF 7F"),    // 0x22C initrd_addr_max 0x7FFFFFFF
                row("00 00 20 00"),    // 0x230 kernel_alignment 2 MiB
                row("00"),             // 0x234 relocatable_kernel
                row("00"),             // 0x235 min_alignment
                row("00 00"),          // 0x236 xloadflags
                row("FF 07 00 00"),    // 0x238 cmdline_size 2047
                row("00 00 00 00"),    // 0x23C hardware_subarch: PC
                row("00 00 00 00 00 00 00 00"), // 0x240 hardware_subarch_data
                row("00 00 00 00"),    // 0x248 payload_offset
                row("00 00 00 00"),    // 0x24C payload_length
                row("00 00 00 00 00 00 00 00"), // 0x250 setup_data
                row("00 00 00 00 00 00 00 00"), // 0x258 pref_address
                row("00 00 00 00"),    // 0x260 init_size
                row("00 00 00 00"),    // 0x264 handover_offset
                row("00 00 00 00"));   // 0x268 kernel_info_offset
        assertThat(expected).hasSize(SetupHeader.SIZE);
        assertThat(Arrays.copyOfRange(zeroPage, SetupHeader.OFFSET, SetupHeader.END)).isEqualTo(expected);
    }

    @Test
    void e820_golden_bytes() {
        byte[] zeroPage = sample().toBytes();
        assertThat(zeroPage[0x1E8]).isEqualTo((byte) 3); // e820_entries
        byte[] expected = bytes(
                row("00 00 00 00 00 00 00 00"), // [0] addr 0
                row("00 00 09 00 00 00 00 00"), // [0] size 0x90000
                row("01 00 00 00"),             // [0] type 1 RAM
                row("00 00 09 00 00 00 00 00"), // [1] addr 0x90000
                row("00 00 01 00 00 00 00 00"), // [1] size 0x10000
                row("03 00 00 00"),             // [1] type 3 ACPI
                row("00 00 0E 00 00 00 00 00"), // [2] addr 0xE0000
                row("00 00 02 00 00 00 00 00"), // [2] size 0x20000
                row("02 00 00 00"),             // [2] type 2 reserved
                row("00 00 00 00 00 00 00 00")); // [3] unused
        assertThat(Arrays.copyOfRange(zeroPage, 0x2D0, 0x2D0 + expected.length)).isEqualTo(expected);
    }

    @Test
    void every_byte_outside_the_fields_we_set_is_zero() {
        byte[] zeroPage = sample().toBytes();
        byte[] scrubbed = zeroPage.clone();
        Arrays.fill(scrubbed, SetupHeader.OFFSET, SetupHeader.END, (byte) 0);
        Arrays.fill(scrubbed, 0x1E8, 0x1E9, (byte) 0);
        Arrays.fill(scrubbed, 0x2D0, 0x2D0 + 3 * E820Entry.SIZE, (byte) 0);
        assertThat(scrubbed).containsOnly(0);
        assertThat(zeroPage[0x1EF]).as("sentinel must stay 0 or the kernel wipes our fields").isZero();
    }

    @Test
    void acpi_rsdp_addr_and_ext_fields_go_to_their_offsets() {
        BootParams p = new BootParams();
        p.acpi_rsdp_addr = 0xE0000;
        p.ext_ramdisk_image = 1;
        p.ext_ramdisk_size = 2;
        p.ext_cmd_line_ptr = 3;
        byte[] page = p.toBytes();
        assertThat(Arrays.copyOfRange(page, 0x070, 0x078)).isEqualTo(bytes("00 00 0E 00 00 00 00 00"));
        assertThat(Arrays.copyOfRange(page, 0x0C0, 0x0CC)).isEqualTo(bytes(
                row("01 00 00 00"),   // 0x0C0 ext_ramdisk_image
                row("02 00 00 00"),   // 0x0C4 ext_ramdisk_size
                row("03 00 00 00"))); // 0x0C8 ext_cmd_line_ptr
    }

    @Test
    void rejects_fields_that_do_not_fit_32_bits() {
        BootParams p = new BootParams();
        p.hdr.ramdisk_image = 0x1_0000_0000L;
        assertThatThrownBy(p::toBytes)
                .isInstanceOf(X86BootException.class)
                .hasMessage("boot_params.ramdisk_image = 0x100000000 does not fit in 32 bits: place it below 4 GiB");
    }

    @Test
    void e820_map_holds_at_most_128_ascending_entries() {
        BootParams p = new BootParams();
        for (int i = 0; i < 128; i++) {
            p.addE820(new E820Entry(i * 0x1000L, 0x1000, E820Entry.E820_RAM));
        }
        assertThat(p.toBytes()[0x1E8] & 0xFF).isEqualTo(128);
        assertThatThrownBy(() -> p.addE820(new E820Entry(1L << 30, 0x1000, E820Entry.E820_RAM)))
                .isInstanceOf(X86BootException.class)
                .hasMessageContaining("e820 map is full");
        BootParams q = new BootParams().addE820(new E820Entry(0x2000, 0x1000, 1));
        assertThatThrownBy(() -> q.addE820(new E820Entry(0x2800, 0x1000, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void e820_entries_print_like_the_kernel() {
        assertThat(new E820Entry(0x10_0000, 0x1FF0_0000, E820Entry.E820_RAM))
                .hasToString("[mem 0x0000000000100000-0x000000001fffffff] usable");
        assertThat(new E820Entry(0x9_0000, 0x1_0000, E820Entry.E820_ACPI))
                .hasToString("[mem 0x0000000000090000-0x000000000009ffff] ACPI data");
    }
}
