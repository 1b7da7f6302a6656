package dev.linuxvm.engine.acpi;

import static dev.linuxvm.engine.acpi.aml.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AcpiStructureTest {
    static final List<MemoryRange> RAM = List.of(new MemoryRange(0, 0xA0000), new MemoryRange(0x10_0000, 0x1FF0_0000));

    private static byte[] tw(MadtEntry e) {
        TableWriter w = new TableWriter();
        e.write(w);
        return w.toByteArray();
    }

    private static byte[] tw(SratEntry e) {
        TableWriter w = new TableWriter();
        e.write(w);
        return w.toByteArray();
    }

    private static long le(byte[] b, int offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (b[offset + i] & 0xFF);
        }
        return v;
    }

    private static byte[] body(byte[] table) {
        return Arrays.copyOfRange(table, SdtHeader.SIZE, table.length);
    }

    @Test
    void structure_sizes_are_the_spec_sizes() {
        assertThat(SdtHeader.SIZE).isEqualTo(36);
        assertThat(Rsdp.SIZE).isEqualTo(36).isEqualTo(new Rsdp(0).toBytes().length);
        assertThat(Gas.SIZE).isEqualTo(12);
        assertThat(Fadt.SIZE).isEqualTo(276).isEqualTo(Fadt.arm64().toBytes().length);
        assertThat(LocalApic.SIZE).isEqualTo(8).isEqualTo(tw(new LocalApic(0, 0, true)).length);
        assertThat(IoApic.SIZE).isEqualTo(12).isEqualTo(tw(new IoApic(0, 0, 0)).length);
        assertThat(InterruptSourceOverride.SIZE).isEqualTo(10).isEqualTo(tw(new InterruptSourceOverride(0, 2, 0)).length);
        assertThat(Gicc.SIZE).isEqualTo(80).isEqualTo(tw(new Gicc(0, 0, 0, 0, 0)).length);
        assertThat(Gicd.SIZE).isEqualTo(24).isEqualTo(tw(new Gicd(0, 0, 3)).length);
        assertThat(Gicr.SIZE).isEqualTo(16).isEqualTo(tw(new Gicr(0, 0)).length);
        assertThat(SratMemoryAffinity.SIZE).isEqualTo(40).isEqualTo(tw(new SratMemoryAffinity(0, 0, 1)).length);
        assertThat(SratLocalApicAffinity.SIZE).isEqualTo(16).isEqualTo(tw(new SratLocalApicAffinity(0, 0)).length);
        assertThat(Spcr.SIZE).isEqualTo(80).isEqualTo(Spcr.pl011(0x0900_0000L, 33).toBytes().length);
        assertThat(Gtdt.SIZE).isEqualTo(96).isEqualTo(Gtdt.qemuVirt().toBytes().length);
        assertThat(Hpet.SIZE).isEqualTo(56).isEqualTo(Hpet.qemu().toBytes().length);
        assertThat(Madt.FIXED_SIZE).isEqualTo(44);
        assertThat(Srat.FIXED_SIZE).isEqualTo(48);
    }

    @Test
    void header_golden_bytes() {
        byte[] xsdt = new Xsdt(List.of()).toBytes();
        assertThat(xsdt).isEqualTo(bytes(
                "58 53 44 54",             // Signature "XSDT"
                "24 00 00 00",             // Length 36
                "01",                      // Revision
                "46",                      // Checksum: the 36 bytes sum to 0
                "4C 4E 58 56 4D 20",       // OEMID "LNXVM "
                "4C 49 4E 55 58 56 4D 20", // OEM Table ID "LINUXVM "
                "01 00 00 00",             // OEM Revision
                "4C 4E 58 56",             // Creator ID "LNXV"
                "01 00 00 00"));           // Creator Revision
        assertThat(TableWriter.sum(xsdt, 0, xsdt.length)).isZero();
    }

    @Test
    void rsdp_golden_bytes_and_both_checksums() {
        byte[] rsdp = new Rsdp(0xEF2E0).toBytes();
        assertThat(rsdp).isEqualTo(bytes(
                "52 53 44 20 50 54 52 20", // Signature "RSD PTR "
                "2A",                      // Checksum over bytes 0-19
                "4C 4E 58 56 4D 20",       // OEMID "LNXVM "
                "02",                      // Revision: ACPI 2.0+
                "00 00 00 00",             // RsdtAddress: none
                "24 00 00 00",             // Length 36
                "E0 F2 0E 00 00 00 00 00", // XsdtAddress
                "FC",                      // Extended Checksum over bytes 0-35
                "00 00 00"));              // Reserved
        assertThat(TableWriter.sum(rsdp, 0, Rsdp.V1_LENGTH)).isZero();
        assertThat(TableWriter.sum(rsdp, 0, Rsdp.SIZE)).isZero();
    }

    @Test
    void x86_madt_golden_bytes() {
        byte[] madt = X86AcpiTables.madt(X86AcpiParams.defaults(2, RAM)).toBytes();
        assertThat(body(madt)).isEqualTo(bytes(
                "00 00 E0 FE",                   // Local Interrupt Controller Address 0xFEE00000
                "01 00 00 00",                   // Flags: PCAT_COMPAT
                "00 08 00 00 01 00 00 00",       // Local APIC: UID 0, APIC ID 0, enabled
                "00 08 01 01 01 00 00 00",       // Local APIC: UID 1, APIC ID 1, enabled
                "01 0C 00 00 00 00 C0 FE 00 00 00 00", // I/O APIC: id 0, 0xFEC00000, GSI base 0
                "02 0A 00 00 02 00 00 00 00 00", // ISO: ISA IRQ 0 -> GSI 2, conforming
                "02 0A 00 09 09 00 00 00 0D 00")); // ISO: ISA IRQ 9 -> GSI 9, level, active high
        assertThat(madt[8]).isEqualTo((byte) Madt.REVISION);
        assertThat(TableWriter.sum(madt, 0, madt.length)).isZero();
    }

    @Test
    void gicc_gicd_gicr_golden_bytes() {
        assertThat(tw(new Gicc(1, 1, 23, 0, 0x0000_0001L))).isEqualTo(bytes(
                "0B 50 00 00",             // Type GICC, Length 80, Reserved
                "01 00 00 00",             // CPU Interface Number
                "01 00 00 00",             // ACPI Processor UID
                "01 00 00 00",             // Flags: enabled
                "00 00 00 00",             // Parking Protocol Version
                "17 00 00 00",             // Performance Interrupt GSIV 23
                "00 00 00 00 00 00 00 00", // Parked Address
                "00 00 00 00 00 00 00 00", // Physical Base Address
                "00 00 00 00 00 00 00 00", // GICV
                "00 00 00 00 00 00 00 00", // GICH
                "00 00 00 00",             // VGIC Maintenance interrupt
                "00 00 00 00 00 00 00 00", // GICR Base Address
                "01 00 00 00 00 00 00 00", // MPIDR
                "00 00 00 00"));           // Efficiency Class, Reserved, SPE overflow Interrupt
        assertThat(tw(new Gicd(0, 0x0800_0000L, 3))).isEqualTo(bytes(
                "0C 18 00 00",             // Type GICD, Length 24, Reserved
                "00 00 00 00",             // GIC ID
                "00 00 00 08 00 00 00 00", // Physical Base Address 0x08000000
                "00 00 00 00",             // System Vector Base
                "03 00 00 00"));           // GIC version 3, Reserved
        assertThat(tw(new Gicr(0x080A_0000L, 0x40000))).isEqualTo(bytes(
                "0E 10 00 00",             // Type GICR, Length 16, Reserved
                "00 00 0A 08 00 00 00 00", // Discovery Range Base Address
                "00 00 04 00"));           // Discovery Range Length: 2 CPUs x 0x20000
    }

    @Test
    void arm64_madt_has_a_gicc_per_cpu_with_qemu_virt_mpidrs_and_one_gicr_range() {
        byte[] madt = Arm64AcpiTables.madt(Arm64AcpiParams.qemuVirt(17)).toBytes();
        assertThat(madt.length).isEqualTo(Madt.FIXED_SIZE + 17 * Gicc.SIZE + Gicd.SIZE + Gicr.SIZE);
        int gicc16 = Madt.FIXED_SIZE + 16 * Gicc.SIZE;
        int mpidrOffset = 68; // Table 5.37: MPIDR at byte offset 68
        assertThat(le(madt, gicc16 + mpidrOffset, 8)).isEqualTo(0x100L); // CPU 16: Aff1 = 1, Aff0 = 0
        int gicr = Madt.FIXED_SIZE + 17 * Gicc.SIZE + Gicd.SIZE;
        assertThat(le(madt, gicr + 12, 4)).isEqualTo(17 * 0x20000L); // Discovery Range Length
        assertThat(TableWriter.sum(madt, 0, madt.length)).isZero();
    }

    @Test
    void srat_golden_entries() {
        assertThat(tw(new SratMemoryAffinity(0, 0x10_0000, 0x1FF0_0000))).isEqualTo(bytes(
                "01 28",                   // Type 1, Length 40
                "00 00 00 00",             // Proximity Domain 0
                "00 00",                   // Reserved
                "00 00 10 00 00 00 00 00", // Base Address 0x100000
                "00 00 F0 1F 00 00 00 00", // Length 0x1FF00000
                "00 00 00 00",             // Reserved
                "01 00 00 00",             // Flags: enabled
                "00 00 00 00 00 00 00 00")); // Reserved
        assertThat(tw(new SratLocalApicAffinity(0, 3))).isEqualTo(bytes(
                "00 10",       // Type 0, Length 16
                "00",          // Proximity Domain [7:0]
                "03",          // APIC ID
                "01 00 00 00", // Flags: enabled
                "00",          // Local SAPIC EID
                "00 00 00",    // Proximity Domain [31:8]
                "00 00 00 00")); // Clock Domain
        byte[] srat = X86AcpiTables.srat(X86AcpiParams.defaults(2, RAM)).toBytes();
        assertThat(srat.length).isEqualTo(Srat.FIXED_SIZE + 2 * 16 + 2 * 40);
        assertThat(le(srat, SdtHeader.SIZE, 4)).isEqualTo(1); // Reserved: 1 for backward compatibility
    }

    @Test
    void fadt_x86_fields_at_their_spec_offsets() {
        byte[] f = X86AcpiTables.fadt(X86AcpiParams.defaults(1, RAM)).withDsdt(0xE_F000).toBytes();
        // offsets from ACPI 6.5 Table 5.9
        assertThat(le(f, 46, 2)).as("SCI_INT").isEqualTo(9);
        assertThat(le(f, 48, 4)).as("SMI_CMD").isZero();
        assertThat(le(f, 56, 4)).as("PM1a_EVT_BLK").isZero();
        assertThat(le(f, 64, 4)).as("PM1a_CNT_BLK").isZero();
        assertThat(le(f, 76, 4)).as("PM_TMR_BLK").isZero();
        assertThat(le(f, 88, 1)).as("PM1_EVT_LEN").isZero();
        assertThat(le(f, 89, 1)).as("PM1_CNT_LEN").isZero();
        assertThat(le(f, 109, 2)).as("IAPC_BOOT_ARCH").isEqualTo(Fadt.IAPC_VGA_NOT_PRESENT | Fadt.IAPC_CMOS_RTC_NOT_PRESENT);
        assertThat(le(f, 112, 4)).as("Flags").isEqualTo(Fadt.WBINVD | Fadt.PROC_C1 | Fadt.PWR_BUTTON
                | Fadt.SLP_BUTTON | Fadt.FIX_RTC | Fadt.RESET_REG_SUP | Fadt.HEADLESS | Fadt.HW_REDUCED_ACPI);
        assertThat(le(f, 112, 4)).as("Flags bit 20").isEqualTo(0x10_1475);
        assertThat(Arrays.copyOfRange(f, 116, 128)).as("RESET_REG").isEqualTo(bytes(
                "01 08 00 01 F9 0C 00 00 00 00 00 00")); // SystemIO, 8 bits, offset 0, byte access, 0xCF9
        assertThat(le(f, 128, 1)).as("RESET_VALUE").isEqualTo(6);
        assertThat(le(f, 131, 1)).as("FADT Minor Version").isEqualTo(3);
        assertThat(le(f, 140, 8)).as("X_DSDT").isEqualTo(0xE_F000);
        assertThat(Arrays.copyOfRange(f, 148, 244)).as("X_PM1a_EVT_BLK .. X_GPE1_BLK").containsOnly(0);
        assertThat(Arrays.copyOfRange(f, 244, 256)).as("SLEEP_CONTROL_REG").isEqualTo(bytes(
                "01 08 00 01 04 06 00 00 00 00 00 00")); // SystemIO, 8 bits, offset 0, byte access, 0x604
        assertThat(Arrays.copyOfRange(f, 256, 268)).as("SLEEP_STATUS_REG").isEqualTo(bytes(
                "01 08 00 01 00 06 00 00 00 00 00 00")); // SystemIO, 8 bits, offset 0, byte access, 0x600
        assertThat(le(f, 268, 8)).as("Hypervisor Vendor Identity").isZero();
        assertThat(f.length).isEqualTo(276);
        assertThat(TableWriter.sum(f, 0, f.length)).isZero();
    }

    @Test
    void fadt_arm64_is_hardware_reduced_with_psci_over_hvc() {
        byte[] f = Fadt.arm64().withDsdt(0x4010_0000L).toBytes();
        assertThat(le(f, 112, 4)).as("Flags").isEqualTo(Fadt.HW_REDUCED_ACPI);
        assertThat(le(f, 129, 2)).as("ARM_BOOT_ARCH").isEqualTo(Fadt.PSCI_COMPLIANT | Fadt.PSCI_USE_HVC);
        assertThat(le(f, 64, 4)).as("PM1a_CNT_BLK").isZero();
        assertThat(Arrays.copyOfRange(f, 244, 268)).as("SLEEP_CONTROL_REG, SLEEP_STATUS_REG").containsOnly(0);
        assertThat(le(f, 140, 8)).as("X_DSDT").isEqualTo(0x4010_0000L);
        assertThat(f[8]).as("Revision").isEqualTo((byte) 6);
    }

    @Test
    void gtdt_and_spcr_golden_bodies() {
        assertThat(body(Gtdt.qemuVirt().toBytes())).isEqualTo(bytes(
                "FF FF FF FF FF FF FF FF", // CntControlBase: not provided
                "00 00 00 00",             // Reserved
                "1D 00 00 00 00 00 00 00", // Secure EL1 timer 29, level, active high
                "1E 00 00 00 00 00 00 00", // Non-secure EL1 timer 30
                "1B 00 00 00 00 00 00 00", // Virtual EL1 timer 27
                "1A 00 00 00 00 00 00 00", // EL2 timer 26
                "FF FF FF FF FF FF FF FF", // CntReadBase: not provided
                "00 00 00 00 00 00 00 00")); // Platform Timer Count, Offset
        assertThat(body(Spcr.pl011(0x0900_0000L, 33).toBytes())).isEqualTo(bytes(
                "03 00 00 00",             // Interface Type ARM PL011, Reserved
                "00 20 00 03 00 00 00 09 00 00 00 00", // GAS: memory, 32 bits, dword access, 0x09000000
                "08",                      // Interrupt Type: ARMH GIC
                "00",                      // IRQ
                "21 00 00 00",             // Global System Interrupt 33
                "07 00 01 00 00 00",       // 115200, no parity, 1 stop bit, no flow control, VT100, Language
                "FF FF FF FF",             // PCI Device ID, Vendor ID: not PCI
                "00 00 00 00 00 00 00",    // PCI Bus, Device, Function, Flags
                "00 00 00 00 00"));        // PCI Segment, Reserved
        byte[] uart = Spcr.uart16550(0x3F8, 4).toBytes();
        assertThat(Arrays.copyOfRange(uart, 36, 58)).isEqualTo(bytes(
                "00 00 00 00",             // Interface Type 16550
                "01 08 00 01 F8 03 00 00 00 00 00 00", // GAS: I/O, 8 bits, byte access, 0x3F8
                "03",                      // Interrupt Type: 8259 | I/O APIC
                "04",                      // IRQ 4
                "04 00 00 00"));           // GSI 4
    }

    @Test
    void layout_places_tables_aligned_and_patches_every_pointer() {
        AcpiLayout l = X86AcpiTables.tableSet(X86AcpiParams.defaults(2, RAM)).layout(0xE_F000);
        assertThat(l.tables()).extracting(PlacedTable::signature)
                .containsExactly("DSDT", "FACP", "APIC", "SRAT", "SPCR", "XSDT");
        assertThat(l.tables()).extracting(PlacedTable::fileName)
                .containsExactly("DSDT.aml", "FACP.dat", "APIC.dat", "SRAT.dat", "SPCR.dat", "XSDT.dat");
        for (PlacedTable t : l.tables()) {
            assertThat(t.address() % AcpiTableSet.ALIGNMENT).as(t.signature()).isZero();
            assertThat(TableWriter.sum(t.bytes(), 0, t.bytes().length)).as(t.signature() + " checksum").isZero();
            assertThat(le(t.bytes(), SdtHeader.LENGTH_OFFSET, 4)).as(t.signature() + " Length").isEqualTo(t.bytes().length);
        }
        assertThat(le(l.table("FACP").bytes(), 140, 8)).as("X_DSDT").isEqualTo(l.table("DSDT").address());
        byte[] xsdt = l.table("XSDT").bytes();
        assertThat(xsdt.length).isEqualTo(Xsdt.size(4));
        List<String> listed = List.of("FACP", "APIC", "SRAT", "SPCR");
        for (int i = 0; i < listed.size(); i++) {
            assertThat(le(xsdt, SdtHeader.SIZE + 8 * i, 8)).as("XSDT entry " + i)
                    .isEqualTo(l.table(listed.get(i)).address());
        }
        assertThat(l.xsdtAddress()).isEqualTo(l.table("XSDT").address());
        assertThat(le(l.rsdp(), 24, 8)).as("RSDP XsdtAddress").isEqualTo(l.xsdtAddress());
        assertThat(l.start()).isEqualTo(0xE_F000);
        assertThat(l.end()).isEqualTo(l.table("XSDT").end());
        byte[] blob = l.blob();
        PlacedTable srat = l.table("SRAT");
        assertThat(Arrays.copyOfRange(blob, (int) (srat.address() - l.start()), (int) (srat.end() - l.start())))
                .isEqualTo(srat.bytes());
        assertThat(l.region("ACPI").address()).isEqualTo(0xE_F000);
    }

    @Test
    void layout_rejects_misaligned_base_and_duplicate_tables() {
        AcpiTableSet set = Arm64AcpiTables.tableSet(Arm64AcpiParams.qemuVirt(1));
        assertThatThrownBy(() -> set.layout(0x4010_0004L)).isInstanceOf(AcpiException.class)
                .hasMessageContaining("multiple of 16");
        assertThatThrownBy(() -> new AcpiTableSet(Fadt.arm64(), Arm64AcpiTables.dsdt(Arm64AcpiParams.qemuVirt(1)),
                List.of(Gtdt.qemuVirt(), Gtdt.qemuVirt()))).isInstanceOf(AcpiException.class)
                .hasMessageContaining("GTDT given twice");
        assertThatThrownBy(() -> new AcpiTableSet(Fadt.arm64(), Gtdt.qemuVirt(), List.of()))
                .isInstanceOf(AcpiException.class).hasMessageContaining("pass the DSDT");
    }

    @Test
    void bad_parameters_are_named() {
        assertThatThrownBy(() -> X86AcpiParams.defaults(0, RAM)).isInstanceOf(AcpiException.class)
                .hasMessageContaining("0 CPUs");
        assertThatThrownBy(() -> X86AcpiParams.defaults(1, List.of())).isInstanceOf(AcpiException.class)
                .hasMessageContaining("no RAM ranges");
        assertThatThrownBy(() -> Arm64AcpiParams.qemuVirt(200)).isInstanceOf(AcpiException.class)
                .hasMessageContaining("200 CPUs");
        assertThatThrownBy(() -> new MemoryRange(0, 0)).isInstanceOf(AcpiException.class);
    }

    @Test
    void pm1_control_decode_for_s5() {
        int s5 = X86AcpiParams.S5_SLEEP_TYPE;
        // What ACPICA writes: first SLP_TYP alone, then SLP_TYP | SLP_EN (after reading the register as 0)
        assertThat(X86AcpiTables.isSleepRequest(0x1400, s5)).isFalse();
        assertThat(X86AcpiTables.isSleepRequest(0x3400, s5)).isTrue();
        // a backend that reads the register as all-ones sees the preserved bits too
        assertThat(X86AcpiTables.isSleepRequest(0xF7FF, s5)).isTrue();
        assertThat(X86AcpiTables.isSleepRequest(0x2000, s5)).isFalse(); // SLP_TYP 0 is S0
    }

    @Test
    void sleep_control_decode_for_s5() {
        int s5 = X86AcpiParams.S5_SLEEP_TYPE;
        // ACPICA acpi_hw_extended_sleep: SLP_TYP << 2 | SLP_EN (bit 5), one 8-bit write
        assertThat(X86AcpiTables.isSleepControlRequest(0x34, s5)).isTrue();
        assertThat(X86AcpiTables.isSleepControlRequest(0x14, s5)).isFalse(); // no SLP_EN
        assertThat(X86AcpiTables.isSleepControlRequest(0x20, s5)).isFalse(); // SLP_TYP 0 is S0
        assertThat(X86AcpiTables.isSleepControlRequest(0x80, s5)).isFalse(); // WAK_STS, the status write
    }
}
