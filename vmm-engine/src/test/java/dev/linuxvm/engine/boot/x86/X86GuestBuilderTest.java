package dev.linuxvm.engine.boot.x86;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.boot.AcpiProvider;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.RamRange;
import dev.linuxvm.engine.loader.KernelImageException;
import dev.linuxvm.engine.loader.SyntheticElf;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class X86GuestBuilderTest {
    private static final long MIB = 1L << 20;

    private static X86GuestBuilder small() {
        return X86GuestBuilder.create().kernel(SyntheticElf.smallKernel().build()).memory(64 * MIB);
    }

    private static ByteBuffer zeroPage(GuestImage image) {
        MemoryRegion zp = region(image, "zero page");
        return ByteBuffer.wrap(zp.data()).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static MemoryRegion region(GuestImage image, String name) {
        return image.regions().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void lays_out_every_structure_where_the_layout_says() {
        byte[] initrd = new byte[10_000];
        GuestImage image = small().initrd(initrd).cmdline("console=ttyS0 panic=-1").cpus(2).build();

        assertThat(image.arch()).isEqualTo(Arch.X86_64);
        assertThat(image.ramBase()).isZero();
        assertThat(image.ramSize()).isEqualTo(64 * MIB);
        assertThat(image.cpus()).isEqualTo(2);
        assertThat(image.cmdline()).isEqualTo("console=ttyS0 panic=-1");
        assertThat(image.regions()).extracting(MemoryRegion::name, MemoryRegion::address, MemoryRegion::size)
                .containsExactly(
                        tuple("GDT", 0x1000L, 32L),
                        tuple("zero page", 0x2000L, 4096L),
                        tuple("command line", 0x3000L, 23L),
                        tuple("page tables", 0x4000L, 0x6000L),
                        tuple("kernel PT_LOAD 0 (RX)", 0x100_0000L, 3L),
                        tuple("kernel PT_LOAD 1 (RW)", 0x120_0000L, 0x3000L),
                        // top of the 64 MiB RAM, page-aligned: 0x4000000 - 10000 = 0x3FFD8F0 -> 0x3FFD000
                        tuple("initrd", 0x3FF_D000L, 10_000L));
        assertThat(region(image, "initrd").data()).isSameAs(initrd); // placed, not copied
        assertThat(region(image, "command line").data())
                .isEqualTo("console=ttyS0 panic=-1\0".getBytes(StandardCharsets.US_ASCII));
        assertThat(region(image, "GDT").data()).isEqualTo(Gdt.toBytes());
        assertThat(region(image, "page tables").data()).isEqualTo(PageTables.toBytes());
        assertThat(image.bootState()).isEqualTo(LongModeEntry.at(0x100_0000));
    }

    @Test
    void zero_page_points_at_the_command_line_and_the_initrd() {
        GuestImage image = small().initrd(new byte[10_000]).cmdline("quiet").build();
        ByteBuffer zp = zeroPage(image);
        assertThat(zp.getShort(0x1FE) & 0xFFFF).isEqualTo(0xAA55);       // boot_flag
        assertThat(zp.getInt(0x202)).isEqualTo(0x5372_6448);            // header "HdrS"
        assertThat(zp.get(0x210) & 0xFF).isEqualTo(0xFF);               // type_of_loader
        assertThat(zp.getInt(0x218)).isEqualTo(0x3FF_D000);             // ramdisk_image
        assertThat(zp.getInt(0x21C)).isEqualTo(10_000);                 // ramdisk_size
        assertThat(zp.getInt(0x228)).isEqualTo(0x3000);                 // cmd_line_ptr
        assertThat(zp.getInt(0x238)).isEqualTo(2047);                   // cmdline_size
        assertThat(image.artifacts().get("zero-page.bin")).isEqualTo(region(image, "zero page").data());
    }

    @Test
    void without_initrd_the_ramdisk_fields_stay_zero() {
        ByteBuffer zp = zeroPage(small().build());
        assertThat(zp.getInt(0x218)).isZero();
        assertThat(zp.getInt(0x21C)).isZero();
    }

    @Test
    void e820_lists_ram_acpi_and_the_bios_area() {
        GuestImage image = small().memory(512 * MIB).build();
        assertThat(new String(image.artifacts().get("e820.txt"), StandardCharsets.UTF_8)).isEqualTo(
                "BIOS-e820: [mem 0x0000000000000000-0x000000000008ffff] usable\n"
                        + "BIOS-e820: [mem 0x0000000000090000-0x000000000009ffff] ACPI data\n"
                        + "BIOS-e820: [mem 0x00000000000e0000-0x00000000000fffff] reserved\n"
                        + "BIOS-e820: [mem 0x0000000000100000-0x000000001fffffff] usable\n");
        ByteBuffer zp = zeroPage(image);
        assertThat(zp.get(0x1E8)).isEqualTo((byte) 4);
        assertThat(zp.getLong(0x2D0 + 3 * 20)).isEqualTo(0x10_0000);             // [3].addr
        assertThat(zp.getLong(0x2D0 + 3 * 20 + 8)).isEqualTo(512 * MIB - 0x10_0000); // [3].size
        assertThat(zp.getInt(0x2D0 + 3 * 20 + 16)).isEqualTo(1);                 // [3].type RAM
    }

    @Test
    void ram_above_3_GiB_continues_at_4_GiB_leaving_the_pci_hole() {
        List<E820Entry> map = X86GuestBuilder.e820For(5L << 30);
        assertThat(map).extracting(E820Entry::addr, E820Entry::size, E820Entry::type).containsExactly(
                tuple(0L, 0x9_0000L, 1),
                tuple(0x9_0000L, 0x1_0000L, 3),
                tuple(0xE_0000L, 0x2_0000L, 2),
                tuple(0x10_0000L, 0xC000_0000L - 0x10_0000L, 1),
                tuple(1L << 32, 2L << 30, 1));
        long ram = map.stream().filter(e -> e.type() == 1).mapToLong(E820Entry::size).sum();
        assertThat(ram).isEqualTo((5L << 30) - (0x10_0000 - 0x9_0000)); // all but [0x90000, 0x100000)
    }

    @Test
    void ram_ranges_split_at_the_32_bit_hole_and_hold_every_e820_ram_entry() {
        long g = 1L << 30;
        assertThat(X86GuestBuilder.ramRanges(512 * MIB)).containsExactly(new RamRange(0, 512 * MIB));
        assertThat(X86GuestBuilder.ramRanges(3 * g)).containsExactly(new RamRange(0, 3 * g));
        assertThat(X86GuestBuilder.ramRanges(3 * g + 512 * MIB))
                .containsExactly(new RamRange(0, 3 * g), new RamRange(4 * g, 512 * MIB));
        assertThat(X86GuestBuilder.ramRanges(16 * g)).containsExactly(new RamRange(0, 3 * g), new RamRange(4 * g, 13 * g));
        for (long memory : new long[] {512 * MIB, 3 * g, 3 * g + 512 * MIB, 16 * g}) {
            List<RamRange> ranges = X86GuestBuilder.ramRanges(memory);
            assertThat(ranges.stream().mapToLong(RamRange::size).sum()).as("all of %d MiB", memory >> 20).isEqualTo(memory);
            assertThat(X86GuestBuilder.e820For(memory)).allSatisfy(e -> assertThat(ranges)
                    .as("e820 %s inside a RAM range", e).anySatisfy(r -> assertThat(r.contains(e.addr(), e.size())).isTrue()));
        }
    }

    @Test
    void the_image_carries_the_ram_ranges_and_their_total() {
        GuestImage image = small().memory((3L << 30) + 512 * MIB).build();
        assertThat(image.ramRanges()).containsExactly(new RamRange(0, 3L << 30), new RamRange(4L << 30, 512 * MIB));
        assertThat(image.ramBase()).isZero();
        assertThat(image.ramSize()).as("what QEMU's -m gets").isEqualTo((3L << 30) + 512 * MIB);
    }

    @Test
    void a_region_in_the_hole_between_ram_ranges_is_a_layout_error() {
        GuestImage.Builder b = GuestImage.builder(Arch.X86_64)
                .ram(List.of(new RamRange(0, 3L << 30), new RamRange(4L << 30, 1L << 30)))
                .bootState(LongModeEntry.at(0x100_0000))
                .region(MemoryRegion.of("in the hole", 0xFEC0_0000L, new byte[16]));
        assertThatThrownBy(b::build).isInstanceOf(dev.linuxvm.engine.VmmException.class)
                .hasMessageContaining("in the hole [0xfec00000-0xfec00010) is outside guest RAM");
        assertThatThrownBy(() -> GuestImage.builder(Arch.X86_64)
                .ram(List.of(new RamRange(0, 2L << 30), new RamRange(1L << 30, 1L << 30)))
                .bootState(LongModeEntry.at(0x100_0000)).build())
                .hasMessageContaining("overlaps");
    }

    @Test
    void initrd_stays_below_initrd_addr_max_on_big_guests() {
        GuestImage image = small().memory(3L << 30).initrd(new byte[4096]).build();
        assertThat(region(image, "initrd").address()).isEqualTo(0x7FFF_F000L);
    }

    @Test
    void rejects_an_initrd_that_does_not_fit_naming_the_memory_needed() {
        assertThatThrownBy(() -> small().memory(20 * MIB).initrd(new byte[2 << 20]).build())
                .isInstanceOf(X86BootException.class)
                .hasMessage("initrd of 2097152 bytes does not fit between the kernel end 0x1203000 and the end of"
                        + " RAM 0x1400000: give the guest at least 21 MiB of memory");
    }

    @Test
    void rejects_an_initrd_that_could_only_fit_above_initrd_addr_max() {
        // 2 GiB - 16 MiB of initrd after a kernel ending at 0x1203000 would cross 0x80000000.
        assertThatThrownBy(() -> X86GuestBuilder.placeInitrd(0x120_3000, (2L << 30) - 16 * MIB, 3L << 30))
                .isInstanceOf(X86BootException.class)
                .hasMessage("initrd of 2130706432 bytes does not fit between the kernel end 0x1203000 and"
                        + " initrd_addr_max 0x7fffffff: use a smaller initrd");
        assertThat(X86GuestBuilder.placeInitrd(0x120_3000, (2L << 30) - 32 * MIB, 3L << 30)).isEqualTo(0x200_0000L);
    }

    @Test
    void rejects_an_empty_initrd() {
        assertThatThrownBy(() -> small().initrd(new byte[0]).build())
                .isInstanceOf(X86BootException.class)
                .hasMessage("initrd is empty: pass a cpio archive or no initrd at all");
    }

    @Test
    void rejects_a_kernel_outside_guest_ram() {
        assertThatThrownBy(() -> small().memory(18 * MIB).build())
                .isInstanceOf(KernelImageException.class)
                .hasMessageContaining("is outside guest RAM [0x0-0x1200000): give the guest more than 19 MiB");
    }

    @Test
    void rejects_a_bzImage_given_as_the_kernel() {
        byte[] bz = new byte[4096];
        System.arraycopy("HdrS".getBytes(), 0, bz, 0x202, 4);
        assertThatThrownBy(() -> X86GuestBuilder.create().kernel(bz).build())
                .isInstanceOf(KernelImageException.class)
                .hasMessageContaining("bzImage").hasMessageContaining("extract-vmlinux");
    }

    @Test
    void rejects_a_command_line_over_the_limit() {
        assertThatThrownBy(() -> small().cmdline("console=ttyS0 " + "x".repeat(2040)))
                .isInstanceOf(X86BootException.class)
                .hasMessageContaining("over the limit of 2048 (COMMAND_LINE_SIZE)");
    }

    @Test
    void rejects_missing_kernel_and_bad_memory_sizes() {
        assertThatThrownBy(() -> X86GuestBuilder.create().build())
                .isInstanceOf(X86BootException.class)
                .hasMessage("no kernel given: pass the vmlinux with kernel(...)");
        assertThatThrownBy(() -> small().memory(64 * MIB + 1).build())
                .isInstanceOf(X86BootException.class)
                .hasMessageContaining("is not a positive multiple of 4 KiB");
        assertThatThrownBy(() -> small().cpus(0).build())
                .isInstanceOf(X86BootException.class)
                .hasMessage("guest needs at least one vCPU, got 0");
    }

    @Test
    void acpi_provider_gets_the_layout_and_its_tables_land_in_the_acpi_region_and_at_0xE0000() {
        AtomicReference<AcpiProvider.Request> seen = new AtomicReference<>();
        byte[] tables = new byte[300];
        byte[] rsdp = new byte[36];
        GuestImage image = small().cpus(2).acpi(request -> {
            seen.set(request);
            return new AcpiProvider.AcpiTables(tables, rsdp, Map.of("DSDT.aml", new byte[] {1}));
        }).build();

        assertThat(seen.get()).isEqualTo(new AcpiProvider.Request(0x9_0000, 0x1_0000, 2, 0, 64 * MIB));
        assertThat(region(image, "ACPI tables").address()).isEqualTo(0x9_0000);
        assertThat(region(image, "ACPI tables").data()).isSameAs(tables);
        assertThat(region(image, "RSDP").address()).isEqualTo(0xE_0000);
        assertThat(region(image, "RSDP").size()).isEqualTo(36);
        assertThat(image.artifacts()).containsKey("DSDT.aml");
    }

    @Test
    void rejects_acpi_tables_larger_than_their_region_and_a_malformed_rsdp() {
        assertThatThrownBy(() -> small().acpi(r -> new AcpiProvider.AcpiTables(new byte[0x1_0001], new byte[36])).build())
                .isInstanceOf(X86BootException.class)
                .hasMessage("ACPI tables are 65537 bytes, more than the 65536 bytes reserved at 0x90000:"
                        + " enlarge X86Layout's ACPI region");
        assertThatThrownBy(() -> small().acpi(r -> new AcpiProvider.AcpiTables(new byte[10], new byte[0])).build())
                .isInstanceOf(X86BootException.class)
                .hasMessageContaining("RSDP is 0 bytes");
    }

}
