package dev.linuxvm.engine.acpi.aml;

import static dev.linuxvm.engine.acpi.aml.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AmlEncodingTest {
    @Test
    void name_paths_encode_root_parent_dual_and_multi_forms() {
        assertThat(NameString.of("_HID").toBytes()).isEqualTo(bytes("5F 48 49 44"));
        assertThat(NameString.of("_S5").toBytes()).isEqualTo(bytes("5F 53 35 5F")); // padded with '_'
        assertThat(NameString.of("\\_SB").toBytes()).isEqualTo(bytes("5C 5F 53 42 5F"));
        assertThat(NameString.of("\\_SB.COM1").toBytes())
                .isEqualTo(bytes("5C 2E 5F 53 42 5F 43 4F 4D 31")); // \ DualNamePrefix _SB_ COM1
        assertThat(NameString.of("\\_SB.PCI0.S08").toBytes())
                .isEqualTo(bytes("5C 2F 03 5F 53 42 5F 50 43 49 30 53 30 38 5F")); // \ MultiNamePrefix 3 ...
        assertThat(NameString.of("^FOO").toBytes()).isEqualTo(bytes("5E 46 4F 4F 5F"));
        assertThat(NameString.of("\\").toBytes()).isEqualTo(bytes("5C 00")); // root, NullName
    }

    @Test
    void rejects_names_asl_would_reject() {
        assertThatThrownBy(() -> NameString.of("com1")).isInstanceOf(AmlException.class)
                .hasMessageContaining("invalid character 'c'");
        assertThatThrownBy(() -> NameString.of("1ABC")).isInstanceOf(AmlException.class)
                .hasMessageContaining("not starting with a digit");
        assertThatThrownBy(() -> NameString.of("_SB.TOOLONG")).isInstanceOf(AmlException.class)
                .hasMessageContaining("1 to 4 characters");
        assertThatThrownBy(() -> NameString.of("_SB..X")).isInstanceOf(AmlException.class);
        assertThatThrownBy(() -> NameString.of("^\\X")).isInstanceOf(AmlException.class);
    }

    @Test
    void integers_take_the_shortest_encoding() {
        assertThat(AmlInteger.of(0).toBytes()).isEqualTo(bytes("00"));                 // Zero
        assertThat(AmlInteger.of(1).toBytes()).isEqualTo(bytes("01"));                 // One
        assertThat(AmlInteger.of(-1L).toBytes()).isEqualTo(bytes("FF"));               // Ones
        assertThat(AmlInteger.of(2).toBytes()).isEqualTo(bytes("0A 02"));              // BytePrefix
        assertThat(AmlInteger.of(0xFF).toBytes()).isEqualTo(bytes("0A FF"));
        assertThat(AmlInteger.of(0x100).toBytes()).isEqualTo(bytes("0B 00 01"));       // WordPrefix
        assertThat(AmlInteger.of(0x1_0000).toBytes()).isEqualTo(bytes("0C 00 00 01 00")); // DWordPrefix
        assertThat(AmlInteger.of(0xFFFF_FFFFL).toBytes()).isEqualTo(bytes("0C FF FF FF FF"));
        assertThat(AmlInteger.of(0x1_0000_0000L).toBytes())
                .isEqualTo(bytes("0E 00 00 00 00 01 00 00 00"));                         // QWordPrefix
    }

    @Test
    void strings_are_nul_terminated_ascii() {
        // "ARMH0011"
        assertThat(AmlString.of("ARMH0011").toBytes()).isEqualTo(bytes("0D 41 52 4D 48 30 30 31 31 00"));
        assertThatThrownBy(() -> AmlString.of("é")).isInstanceOf(AmlException.class);
    }

    @Test
    void eisa_id_compresses_pnp0501_to_0x0105d041() {
        assertThat(EisaId.of("PNP0501").value()).isEqualTo(0x0105D041L);
        assertThat(EisaId.of("PNP0501").toBytes()).isEqualTo(bytes("0C 41 D0 05 01"));
        assertThat(EisaId.of("PNP0A03").value()).isEqualTo(0x030AD041L);
        assertThatThrownBy(() -> EisaId.of("pnp0501")).isInstanceOf(AmlException.class)
                .hasMessageContaining("like PNP0501");
    }

    @Test
    void buffer_package_method_and_return() {
        // Buffer () { 0x01, 0x02, 0x03 }
        assertThat(new AmlBuffer(new byte[] {1, 2, 3}).toBytes()).isEqualTo(bytes(
                "11 06",      // BufferOp, PkgLength 6
                "0A 03",      // BufferSize 3
                "01 02 03")); // bytes
        // Name (_S5, Package () { 5, 5, 0, 0 })
        assertThat(Name.of("_S5", AmlPackage.ofIntegers(5, 5, 0, 0)).toBytes()).isEqualTo(bytes(
                "08 5F 53 35 5F",     // NameOp _S5_
                "12 08 04",           // PackageOp, PkgLength 8, NumElements 4
                "0A 05 0A 05 00 00")); // 5, 5, Zero, Zero
        // Method (_STA, 0, Serialized, 3) { Return (0x0F) }
        Method sta = new Method(NameString.of("_STA"), 0, true, 3, List.of(Return.of(0x0F)));
        assertThat(sta.flags()).isEqualTo(0x38);
        assertThat(sta.toBytes()).isEqualTo(bytes(
                "14 09",        // MethodOp, PkgLength 9
                "5F 53 54 41",  // _STA
                "38",           // MethodFlags: ArgCount 0, Serialized, SyncLevel 3
                "A4 0A 0F"));   // Return (0x0F)
        assertThat(Method.of("_PS0", 2).flags()).isEqualTo(0x02);
        assertThatThrownBy(() -> Method.of("_XX", 8)).isInstanceOf(AmlException.class).hasMessageContaining("0-7");
    }

    @Test
    void resource_descriptors_match_the_spec_layout() {
        // IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08)
        assertThat(IoPort.fixed16(0x3F8, 0, 8).toBytes()).isEqualTo(bytes(
                "47",         // small item 0x08, length 7
                "01",         // Information: 16-bit decode
                "F8 03",      // Range minimum base
                "F8 03",      // Range maximum base
                "00",         // Alignment
                "08"));       // Length
        // IRQNoFlags () { 4 }
        assertThat(IrqNoFlags.of(4).toBytes()).isEqualTo(bytes("22 10 00")); // small item 0x04, length 2; mask
        // Memory32Fixed (ReadWrite, 0x09000000, 0x00001000)
        assertThat(new Memory32Fixed(true, 0x0900_0000L, 0x1000).toBytes()).isEqualTo(bytes(
                "86 09 00",    // large item 0x06, length 9
                "01",          // Information: read-write
                "00 00 00 09", // Range base address
                "00 10 00 00")); // Range length
        // Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { 33 }
        assertThat(ExtendedInterrupt.levelHigh(33).toBytes()).isEqualTo(bytes(
                "89 06 00",     // large item 0x09, length 6
                "01",           // flags: consumer, level, active-high, exclusive
                "01",           // interrupt table length
                "21 00 00 00")); // 33
        assertThatThrownBy(() -> IrqNoFlags.of(16)).isInstanceOf(AmlException.class)
                .hasMessageContaining("ExtendedInterrupt");
    }

    /*
     * Device (COM1) {
     *     Name (_HID, EisaId ("PNP0501"))
     *     Name (_UID, One)
     *     Name (_STA, 0x0F)
     *     Name (_CRS, ResourceTemplate () {
     *         IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08)
     *         IRQNoFlags () {4}
     *     })
     * }
     */
    @Test
    void com1_device_golden_bytes() {
        Device com1 = Device.of("COM1",
                Name.of("_HID", EisaId.of("PNP0501")),
                Name.of("_UID", 1),
                Name.of("_STA", 0x0F),
                Name.of("_CRS", ResourceTemplate.of(IoPort.fixed16(0x3F8, 0, 8), IrqNoFlags.of(4))));
        assertThat(com1.toBytes()).isEqualTo(bytes(
                "5B 82 32",                         // DeviceOp, PkgLength 0x32
                "43 4F 4D 31",                      // COM1
                "08 5F 48 49 44 0C 41 D0 05 01",    // Name (_HID, EisaId ("PNP0501"))
                "08 5F 55 49 44 01",                // Name (_UID, One)
                "08 5F 53 54 41 0A 0F",             // Name (_STA, 0x0F)
                "08 5F 43 52 53",                   // Name (_CRS,
                "11 10 0A 0D",                      //   Buffer, PkgLength 0x10, size 13
                "47 01 F8 03 F8 03 00 08",          //   IO (Decode16, 0x3F8, 0x3F8, 0, 8)
                "22 10 00",                         //   IRQNoFlags () {4}
                "79 0F"));                          //   EndTag, checksum: all 13 bytes sum to 0
    }

    @Test
    void end_tag_checksum_makes_the_template_sum_to_zero() {
        byte[] res = ResourceTemplate.of(new Memory32Fixed(true, 0x0900_0000L, 0x1000),
                ExtendedInterrupt.levelHigh(33)).resourceBytes();
        ChecksumSink sum = new ChecksumSink();
        sum.bytes(res);
        assertThat(sum.sum()).isZero();
        assertThat(res[res.length - 2]).isEqualTo((byte) 0x79);
    }

    @Test
    void scope_with_more_than_63_bytes_uses_a_two_byte_pkglength() {
        Aml[] names = new Aml[10];
        for (int i = 0; i < names.length; i++) {
            names[i] = Name.of("N" + i, 0x1234); // 08 + 4 + 0B 34 12 = 8 bytes each
        }
        byte[] scope = Scope.of("\\_SB", names).toBytes();
        // body: \_SB_ (5) + 80 = 85; total 85 + 2 = 87 = 0x57 -> 0x47 0x05
        assertThat(scope).startsWith(bytes("10 47 05 5C 5F 53 42 5F"));
        assertThat(scope).hasSize(1 + 2 + 85);
    }
}
