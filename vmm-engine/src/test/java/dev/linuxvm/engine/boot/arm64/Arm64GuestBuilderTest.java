package dev.linuxvm.engine.boot.arm64;

import dev.linuxvm.engine.Arm64BootState;
import dev.linuxvm.engine.launch.BootMode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.efi.EfiGuid;
import dev.linuxvm.engine.efi.EfiMemoryAttribute;
import dev.linuxvm.engine.efi.EfiMemoryType;
import dev.linuxvm.engine.efi.EfiSystemTable;
import dev.linuxvm.engine.fdt.Dtc;
import dev.linuxvm.engine.fdt.FdtNode;
import dev.linuxvm.engine.fdt.FdtReader;
import dev.linuxvm.engine.loader.Arm64Image;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Arm64GuestBuilderTest {
    private static final long MIB = 1L << 20;
    private static final String ARGS = "console=ttyAMA0 panic=-1";

    /** A synthetic Image (booting.rst header) with the given text_offset / image_size, flags 0xA. */
    static Arm64Image kernel(long textOffset, long imageSize) {
        ByteBuffer b = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x14000010).putInt(0);   // code0, code1
        b.putLong(textOffset);            // text_offset
        b.putLong(imageSize);             // image_size
        b.putLong(0xA);                   // flags: LE, 4K pages, place anywhere
        b.putLong(0).putLong(0).putLong(0); // res2..res4
        b.putInt(0x644d5241).putInt(0);   // magic "ARM\x64", res5
        return Arm64Image.parse("test-Image", b.array());
    }

    private static MemoryRegion region(GuestImage g, String name) {
        return g.regions().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no region " + name + " in " + g.regions()));
    }

    @Test
    void device_tree_mode_places_dtb_kernel_and_initrd() {
        byte[] initrd = new byte[3 * 4096];
        GuestImage g = Arm64GuestBuilder.forKernel(kernel(0, 3 * MIB)).memory(512 * MIB).cpus(2).cmdline(ARGS)
                .initrd(initrd).mode(BootMode.DEVICE_TREE).build();

        assertThat(g.ramBase()).isEqualTo(0x4000_0000L);
        assertThat(g.ramSize()).isEqualTo(512 * MIB);
        assertThat(g.regions()).extracting(MemoryRegion::name).containsExactly("device tree", "kernel", "initrd");
        assertThat(region(g, "device tree").address()).isEqualTo(0x4010_0000L);
        MemoryRegion k = region(g, "kernel");
        assertThat(k.address()).isEqualTo(0x4020_0000L);
        assertThat(k.size()).as("image_size reserved, BSS included").isEqualTo(3 * MIB);
        assertThat(region(g, "initrd").address()).as("next 2 MiB boundary after image_size").isEqualTo(0x4060_0000L);
        assertThat(g.bootState()).isEqualTo(new Arm64BootState(0x4020_0000L, 0x4010_0000L));

        FdtReader.Fdt dt = FdtReader.parse(g.artifacts().get("guest.dtb"));
        assertThat(dt.require("/chosen").u64("linux,initrd-start")).isEqualTo(0x4060_0000L);
        assertThat(dt.require("/chosen").u64("linux,initrd-end")).isEqualTo(0x4060_3000L);
        assertThat(dt.require("/memory@40000000").u64Array("reg")).containsExactly(0x4000_0000L, 512 * MIB);
        assertThat(dt.require("/cpus").children()).hasSize(2);
        assertThat(g.artifacts().keySet()).containsExactly("guest.dtb");
        assertThat(region(g, "device tree").data()).isEqualTo(g.artifacts().get("guest.dtb"));
    }

    @Test
    void legacy_kernels_load_at_text_offset_0x80000() {
        ByteBuffer b = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putInt(0).putLong(0).putLong(0).putLong(0).putLong(0).putLong(0).putLong(0); // image_size 0
        b.putInt(0x644d5241).putInt(0);
        GuestImage g = Arm64GuestBuilder.forKernel(Arm64Image.parse("old", b.array()))
                .mode(BootMode.DEVICE_TREE).build();
        assertThat(g.bootState().entryPoint()).isEqualTo(0x4028_0000L);
    }

    @Test
    void acpi_mode_builds_efi_tables_memory_map_and_stub_dt(@TempDir Path tmp) throws Exception {
        byte[] initrd = new byte[5000];
        GuestImage g = Arm64GuestBuilder.forKernel(kernel(0, 3 * MIB)).memory(512 * MIB).cmdline(ARGS)
                .initrd(initrd).acpi(new MinimalAcpi()).build();

        assertThat(g.regions()).extracting(MemoryRegion::name)
                .containsExactly("ACPI tables", "EFI tables", "device tree", "kernel", "initrd");
        MemoryRegion acpi = region(g, "ACPI tables");
        MemoryRegion efi = region(g, "EFI tables");
        MemoryRegion dtbRegion = region(g, "device tree");
        assertThat(acpi.address()).isEqualTo(0x4010_0000L);
        assertThat(efi.address()).as("next page after the ACPI tables").isEqualTo(0x4010_1000L);
        assertThat(dtbRegion.address() % 8).isZero();
        assertThat(dtbRegion.end()).isLessThanOrEqualTo(0x4020_0000L);
        assertThat(g.bootState()).isEqualTo(new Arm64BootState(0x4020_0000L, dtbRegion.address()));
        assertThat(g.artifacts()).containsKeys("guest.dtb", "efi-tables.bin", "acpi-tables.bin", "XSDT.aml");

        // The stub DT points at the EFI tables.
        FdtReader.Fdt dt = FdtReader.parse(dtbRegion.data());
        assertThat(dt.root().children()).extracting(FdtNode::name).containsExactly("chosen");
        FdtNode chosen = dt.require("/chosen");
        assertThat(chosen.string("bootargs")).isEqualTo(ARGS);
        assertThat(chosen.u64("linux,initrd-start")).isEqualTo(0x4060_0000L);
        assertThat(chosen.u64("linux,initrd-end")).isEqualTo(0x4060_0000L + 5000);
        long systemTable = chosen.u64("linux,uefi-system-table");
        long mmapStart = chosen.u64("linux,uefi-mmap-start");
        int mmapSize = chosen.u32("linux,uefi-mmap-size");
        assertThat(systemTable).isEqualTo(efi.address());
        Dtc.decompile(dtbRegion.data(), tmp);

        // EFI_SYSTEM_TABLE (UEFI 4.3), read back field by field.
        ByteBuffer st = ByteBuffer.wrap(efi.data()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(st.getLong(0)).as("Signature").isEqualTo(EfiSystemTable.EFI_SYSTEM_TABLE_SIGNATURE);
        assertThat(st.getInt(8)).as("Revision").isEqualTo((2 << 16) | 70);
        assertThat(st.getInt(12)).as("HeaderSize").isEqualTo(120);
        byte[] zeroCrc = Arrays.copyOf(efi.data(), 120);
        Arrays.fill(zeroCrc, 16, 20, (byte) 0);
        CRC32 crc = new CRC32();
        crc.update(zeroCrc);
        assertThat(st.getInt(16)).as("CRC32").isEqualTo((int) crc.getValue());
        long vendor = st.getLong(24);
        assertThat(utf16At(efi, vendor)).isEqualTo("linuxvm");
        assertThat(st.getLong(88)).as("RuntimeServices").isZero();
        assertThat(st.getLong(96)).as("BootServices").isZero();
        assertThat(st.getLong(104)).as("NumberOfTableEntries").isEqualTo(2);
        int config = (int) (st.getLong(112) - efi.address());

        // Configuration table: ACPI 2.0 → RSDP (after the 36-byte XSDT, 16-byte aligned: offset 48),
        // RT properties → {1, 8, 0}.
        assertThat(Arrays.copyOfRange(efi.data(), config, config + 16)).isEqualTo(EfiGuid.ACPI_20_TABLE_GUID.toBytes());
        assertThat(st.getLong(config + 16)).isEqualTo(0x4010_0030L);
        assertThat(new String(acpi.data(), 0x30, 8)).isEqualTo("RSD PTR ");
        assertThat(new String(acpi.data(), 0, 4)).isEqualTo("XSDT");
        assertThat(Arrays.copyOfRange(efi.data(), config + 24, config + 40))
                .isEqualTo(EfiGuid.EFI_RT_PROPERTIES_TABLE_GUID.toBytes());
        int rt = (int) (st.getLong(config + 40) - efi.address());
        assertThat(st.getShort(rt)).as("RT Version").isEqualTo((short) 1);
        assertThat(st.getShort(rt + 2)).as("RT Length").isEqualTo((short) 8);
        assertThat(st.getInt(rt + 4)).as("RuntimeServicesSupported").isZero();

        // Memory map: contiguous over all of RAM, all WB, the right types.
        int mmap = (int) (mmapStart - efi.address());
        assertThat(mmap + mmapSize).isEqualTo(efi.data().length);
        List<String> descriptors = new ArrayList<>();
        long expectedStart = 0x4000_0000L;
        for (int off = mmap; off < mmap + mmapSize; off += 48) {
            int type = st.getInt(off);
            long start = st.getLong(off + 8);
            long pages = st.getLong(off + 24);
            assertThat(start).as("descriptor at %d starts where the previous ended", off).isEqualTo(expectedStart);
            assertThat(st.getLong(off + 32)).as("Attribute").isEqualTo(EfiMemoryAttribute.EFI_MEMORY_WB);
            descriptors.add(String.format("%s 0x%x-0x%x", EfiMemoryType.values()[type], start, start + pages * 4096));
            expectedStart = start + pages * 4096;
        }
        assertThat(expectedStart).isEqualTo(0x4000_0000L + 512 * MIB);
        assertThat(descriptors).containsExactly(
                "EfiConventionalMemory 0x40000000-0x40100000",  // QEMU's DTB area, free for the guest
                "EfiACPIReclaimMemory 0x40100000-0x40101000",   // ACPI tables
                "EfiBootServicesData 0x40101000-0x40200000",    // EFI tables + stub DT
                "EfiLoaderData 0x40200000-0x40500000",          // kernel image_size
                "EfiConventionalMemory 0x40500000-0x40600000",  // gap up to the 2 MiB boundary
                "EfiLoaderData 0x40600000-0x40602000",          // initrd, whole pages
                "EfiConventionalMemory 0x40602000-0x60000000"); // rest of RAM
    }

    private static String utf16At(MemoryRegion efi, long address) {
        ByteBuffer b = ByteBuffer.wrap(efi.data()).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder s = new StringBuilder();
        for (int off = (int) (address - efi.address()); b.getChar(off) != 0; off += 2) {
            s.append(b.getChar(off));
        }
        return s.toString();
    }

    @Test
    void rejects_kernel_that_does_not_fit_in_ram() {
        assertThatThrownBy(() -> Arm64GuestBuilder.forKernel(kernel(0, 40 * MIB)).memory(32 * MIB)
                .mode(BootMode.DEVICE_TREE).build()).isInstanceOf(Arm64BootException.class)
                .hasMessage("kernel test-Image needs 0x2800000 bytes (image_size) from 0x40200000 but guest RAM"
                        + " ends at 0x42000000: give the guest at least 42 MiB of memory");
    }

    @Test
    void rejects_an_image_size_near_the_top_of_the_address_space_without_overflowing() {
        // Found by Arm64ImageFuzzTest: load address + image_size overflowed Math.addExact into a raw
        // ArithmeticException.
        assertThatThrownBy(() -> Arm64GuestBuilder.forKernel(kernel(0, Long.MAX_VALUE - 8)).memory(32 * MIB)
                .mode(BootMode.DEVICE_TREE).build()).isInstanceOf(Arm64BootException.class)
                .hasMessage("kernel test-Image needs 0x7ffffffffffffff7 bytes (image_size) from 0x40200000 but guest"
                        + " RAM ends at 0x42000000: give the guest at least 8796093022210 MiB of memory");
    }

    @Test
    void rejects_initrd_that_does_not_fit_in_ram() {
        assertThatThrownBy(() -> Arm64GuestBuilder.forKernel(kernel(0, 3 * MIB)).memory(16 * MIB)
                .initrd(new byte[(int) (12 * MIB)]).mode(BootMode.DEVICE_TREE).build())
                .isInstanceOf(Arm64BootException.class)
                .hasMessage("initrd (12582912 bytes) does not fit in guest RAM after the kernel: it would end at"
                        + " 0x41200000 but RAM ends at 0x41000000: give the guest at least 18 MiB of memory");
    }

    @Test
    void rejects_bad_configuration() {
        Arm64GuestBuilder b = Arm64GuestBuilder.forKernel(kernel(0, 3 * MIB)).mode(BootMode.DEVICE_TREE);
        assertThatThrownBy(() -> b.cpus(124).build()).hasMessage("guest with 124 vCPUs: the virt platform's GICv3"
                + " redistributor window holds 1 to 123");
        b.cpus(1);
        assertThatThrownBy(() -> b.memory(100 * MIB + 4096).build()).hasMessageContaining("give a whole number of MiB");
        b.memory(64 * MIB);
        assertThatThrownBy(() -> b.cmdline("x".repeat(2048)).build())
                .hasMessage("kernel command line is 2048 bytes: arm64 kernels take at most 2047 (COMMAND_LINE_SIZE);"
                        + " shorten it");
        b.cmdline(ARGS);
        assertThatThrownBy(() -> b.mode(BootMode.ACPI).build()).isInstanceOf(Arm64BootException.class)
                .hasMessage("ACPI mode needs ACPI tables: pass an AcpiProvider with acpi(...), or choose"
                        + " BootMode.DEVICE_TREE");
    }

}
