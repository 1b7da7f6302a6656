package dev.linuxvm.engine.efi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class EfiStructuresTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s+|//[^\\n]*", ""));
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void sizes_match_the_uefi_spec_on_64_bit() {
        assertThat(EfiTableHeader.SIZE).isEqualTo(24);
        assertThat(EfiSystemTable.SIZE).isEqualTo(120);
        assertThat(EfiConfigurationTable.SIZE).isEqualTo(24);
        assertThat(EfiRtPropertiesTable.SIZE).isEqualTo(8);
        assertThat(EfiMemoryDescriptor.SIZE).isEqualTo(40);
        assertThat(EfiMemoryDescriptor.DESCRIPTOR_SIZE).isEqualTo(48);
        assertThat(EfiGuid.SIZE).isEqualTo(16);

        ByteBuffer b = le(256);
        new EfiTableHeader(0, 0, 0, 0, 0).writeTo(b);
        assertThat(b.position()).isEqualTo(EfiTableHeader.SIZE);
        b.clear();
        new EfiConfigurationTable(EfiGuid.ACPI_20_TABLE_GUID, 0).writeTo(b);
        assertThat(b.position()).isEqualTo(EfiConfigurationTable.SIZE);
        b.clear();
        EfiRtPropertiesTable.none().writeTo(b);
        assertThat(b.position()).isEqualTo(EfiRtPropertiesTable.SIZE);
        b.clear();
        new EfiMemoryDescriptor(EfiMemoryType.EfiConventionalMemory, 0, 0, 1, 0).writeTo(b);
        assertThat(b.position()).isEqualTo(EfiMemoryDescriptor.SIZE);
        assertThat(new EfiSystemTable(0, 0, 0, 0).toBytes()).hasSize(EfiSystemTable.SIZE);
    }

    @Test
    void guids_use_the_mixed_endian_memory_layout() {
        assertThat(EfiGuid.ACPI_20_TABLE_GUID.toBytes()).isEqualTo(hex(
                "71 e8 68 88"     // Data1 0x8868e871, little-endian
                + "f1 e4"         // Data2 0xe4f1
                + "d3 11"         // Data3 0x11d3
                + "bc 22 00 80 c7 3c 88 81")); // Data4 as written
        assertThat(EfiGuid.EFI_RT_PROPERTIES_TABLE_GUID.toBytes()).isEqualTo(hex(
                "8a 91 66 eb"     // Data1 0xeb66918a
                + "ef 7e"         // Data2 0x7eef
                + "2a 40"         // Data3 0x402a
                + "84 2e 93 1d 21 c3 8a e9")); // Data4
        assertThat(EfiGuid.ACPI_20_TABLE_GUID).hasToString("8868e871-e4f1-11d3-bc22-0080c73c8881");
        assertThatThrownBy(() -> EfiGuid.parse("8868e871-e4f1-11d3-bc22")).isInstanceOf(EfiException.class)
                .hasMessageContaining("not in aabbccdd-eeff-gghh-iijj-kkllmmnnoopp form");
    }

    @Test
    void system_table_golden_bytes_and_crc() {
        byte[] table = new EfiSystemTable(0x4010_2078L, 0x10000, 2, 0x4010_2088L).toBytes();
        ByteBuffer b = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        int crc = b.getInt(16);
        byte[] expected = hex(
                "49 42 49 20 53 59 53 54"    // Hdr.Signature "IBI SYST"
                + "46 00 02 00"              // Hdr.Revision 2.70 = 0x00020046
                + "78 00 00 00"              // Hdr.HeaderSize 120
                + "00 00 00 00"              // Hdr.CRC32 (checked below)
                + "00 00 00 00"              // Hdr.Reserved
                + "78 20 10 40 00 00 00 00"  // FirmwareVendor
                + "00 00 01 00"              // FirmwareRevision
                + "00 00 00 00"              // padding
                + "00 00 00 00 00 00 00 00"  // ConsoleInHandle
                + "00 00 00 00 00 00 00 00"  // ConIn
                + "00 00 00 00 00 00 00 00"  // ConsoleOutHandle
                + "00 00 00 00 00 00 00 00"  // ConOut
                + "00 00 00 00 00 00 00 00"  // StandardErrorHandle
                + "00 00 00 00 00 00 00 00"  // StdErr
                + "00 00 00 00 00 00 00 00"  // RuntimeServices
                + "00 00 00 00 00 00 00 00"  // BootServices
                + "02 00 00 00 00 00 00 00"  // NumberOfTableEntries
                + "88 20 10 40 00 00 00 00"); // ConfigurationTable
        byte[] zeroedCrc = table.clone();
        ByteBuffer.wrap(zeroedCrc).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0);
        assertThat(zeroedCrc).isEqualTo(expected);

        // UEFI 4.2: CRC32 over HeaderSize bytes with the CRC32 field zero.
        CRC32 reference = new CRC32();
        reference.update(expected);
        assertThat(crc).isEqualTo((int) reference.getValue()).isNotZero();
    }

    @Test
    void vendor_string_is_nul_terminated_utf16() {
        assertThat(EfiSystemTable.vendorString("linuxvm")).isEqualTo(hex(
                "6c 00 69 00 6e 00 75 00 78 00 76 00 6d 00" // "linuxvm"
                + "00 00"));                               // NUL
    }

    @Test
    void configuration_table_and_rt_properties_golden_bytes() {
        ByteBuffer b = le(EfiConfigurationTable.SIZE + EfiRtPropertiesTable.SIZE);
        new EfiConfigurationTable(EfiGuid.ACPI_20_TABLE_GUID, 0x4010_0000L).writeTo(b);
        EfiRtPropertiesTable.none().writeTo(b);
        assertThat(b.array()).isEqualTo(hex(
                "71 e8 68 88 f1 e4 d3 11 bc 22 00 80 c7 3c 88 81" // VendorGuid = ACPI 2.0
                + "00 00 10 40 00 00 00 00"                        // VendorTable
                + "01 00"                                          // RT: Version 1
                + "08 00"                                          // RT: Length 8
                + "00 00 00 00"));                                 // RT: RuntimeServicesSupported = none
    }

    @Test
    void memory_map_uses_a_48_byte_stride_with_zero_padding() {
        EfiMemoryMap map = new EfiMemoryMap(List.of(
                EfiMemoryDescriptor.range(EfiMemoryType.EfiConventionalMemory, 0x4020_0000L, 0x4040_0000L,
                        EfiMemoryAttribute.EFI_MEMORY_WB),
                EfiMemoryDescriptor.range(EfiMemoryType.EfiACPIReclaimMemory, 0x4010_0000L, 0x4010_1000L,
                        EfiMemoryAttribute.EFI_MEMORY_WB)));
        assertThat(map.size()).isEqualTo(96);
        assertThat(map.toBytes()).isEqualTo(hex(
                // descriptor 0 (sorted by address)
                "09 00 00 00"                  // Type = EfiACPIReclaimMemory
                + "00 00 00 00"                // padding
                + "00 00 10 40 00 00 00 00"    // PhysicalStart
                + "00 00 00 00 00 00 00 00"    // VirtualStart
                + "01 00 00 00 00 00 00 00"    // NumberOfPages = 1
                + "08 00 00 00 00 00 00 00"    // Attribute = EFI_MEMORY_WB
                + "00 00 00 00 00 00 00 00"    // stride padding (48 - 40)
                // descriptor 1
                + "07 00 00 00"                // Type = EfiConventionalMemory
                + "00 00 00 00"                // padding
                + "00 00 20 40 00 00 00 00"    // PhysicalStart
                + "00 00 00 00 00 00 00 00"    // VirtualStart
                + "00 02 00 00 00 00 00 00"    // NumberOfPages = 512
                + "08 00 00 00 00 00 00 00"    // Attribute = EFI_MEMORY_WB
                + "00 00 00 00 00 00 00 00")); // stride padding
    }

    @Test
    void memory_map_rejects_overlaps_and_unaligned_ranges() {
        assertThatThrownBy(() -> new EfiMemoryMap(List.of(
                EfiMemoryDescriptor.range(EfiMemoryType.EfiLoaderData, 0x1000, 0x3000, 0),
                EfiMemoryDescriptor.range(EfiMemoryType.EfiConventionalMemory, 0x2000, 0x4000, 0))))
                .isInstanceOf(EfiException.class).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> EfiMemoryDescriptor.range(EfiMemoryType.EfiLoaderData, 0x1001, 0x3000, 0))
                .isInstanceOf(EfiException.class).hasMessageContaining("not 4 KiB aligned");
    }

    @Test
    void memory_type_values_follow_the_spec() {
        assertThat(EfiMemoryType.EfiLoaderData.value()).isEqualTo(2);
        assertThat(EfiMemoryType.EfiBootServicesData.value()).isEqualTo(4);
        assertThat(EfiMemoryType.EfiConventionalMemory.value()).isEqualTo(7);
        assertThat(EfiMemoryType.EfiACPIReclaimMemory.value()).isEqualTo(9);
        assertThat(EfiMemoryType.EfiPersistentMemory.value()).isEqualTo(14);
    }
}
