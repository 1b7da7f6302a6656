package dev.linuxvm.engine.launch;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.Arm64BootState;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.acpi.AcpiLayout;
import dev.linuxvm.engine.acpi.Arm64AcpiParams;
import dev.linuxvm.engine.acpi.Arm64AcpiTables;
import dev.linuxvm.engine.acpi.MemoryRange;
import dev.linuxvm.engine.acpi.PlacedTable;
import dev.linuxvm.engine.acpi.X86AcpiParams;
import dev.linuxvm.engine.acpi.X86AcpiTables;
import dev.linuxvm.engine.backend.qemu.QemuCommandLine;
import dev.linuxvm.engine.boot.x86.LongModeEntry;
import dev.linuxvm.engine.boot.arm64.Arm64DeviceTree;
import dev.linuxvm.engine.boot.arm64.Arm64Layout;
import dev.linuxvm.engine.boot.x86.X86Layout;
import dev.linuxvm.engine.fdt.FdtNode;
import dev.linuxvm.engine.fdt.FdtReader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every consumer of a platform address, port or interrupt reads back what the layout says:
 * the bytes of the ACPI tables (offsets from the ACPI 6.5 tables cited per check), the device
 * tree as a reader sees it, and the QEMU executor's command line. A device moved in the layout
 * moves here too; a number written anywhere else fails here.
 */
class LayoutAgreementTest {
    private static final int CPUS = 2;

    // ------------------------------------------------------------------ x86_64

    @Test
    void x86_fadt_names_the_layouts_sci_sleep_registers_and_reset_register() {
        byte[] facp = x86Table("FACP");
        // ACPI 6.5 Table 5.9: SCI_INT @46 (2), RESET_REG @116, SLEEP_CONTROL_REG @244,
        // SLEEP_STATUS_REG @256 (GAS: space id, width, offset, access size, then the address @+4)
        assertThat(u16(facp, 46)).isEqualTo(X86Layout.SCI_IRQ);
        assertThat(facp[116]).isEqualTo((byte) 1); // SystemIO
        assertThat(u64(facp, 120)).isEqualTo(X86Layout.RESET_PORT);
        assertThat(facp[244]).isEqualTo((byte) 1);
        assertThat(u64(facp, 248)).isEqualTo(X86Layout.SLEEP_CONTROL_PORT);
        assertThat(facp[256]).isEqualTo((byte) 1);
        assertThat(u64(facp, 260)).isEqualTo(X86Layout.SLEEP_STATUS_PORT);
    }

    @Test
    void x86_madt_names_the_layouts_lapic_ioapic_and_isa_wiring() {
        byte[] apic = x86Table("APIC");
        // ACPI 6.5 Table 5.43: Local Interrupt Controller Address @36, structures from @44
        assertThat(u32(apic, 36)).isEqualTo(X86Layout.LAPIC_START);
        List<byte[]> ioApics = madtEntries(apic, 1);      // Table 5.49, I/O APIC Structure
        assertThat(ioApics).hasSize(1);
        assertThat(u32(ioApics.get(0), 4)).isEqualTo(X86Layout.IOAPIC_START);
        List<String> overrides = new ArrayList<>();       // Table 5.50, Interrupt Source Override
        for (byte[] iso : madtEntries(apic, 2)) {
            overrides.add(iso[3] + "->" + u32(iso, 4));
        }
        assertThat(overrides).containsExactly(X86Layout.PIT_IRQ + "->" + X86Layout.PIT_GSI,
                X86Layout.SCI_IRQ + "->" + X86Layout.SCI_IRQ);
    }

    @Test
    void x86_dsdt_and_spcr_put_com1_at_the_layouts_port_and_irq() {
        byte[] dsdt = x86Table("DSDT");
        int port = X86Layout.COM1_PORT;
        // ACPI 6.5 6.4.2.5 I/O Port Descriptor: 0x47, decode16, min, max, alignment 0, length 8
        assertThat(indexOf(dsdt, 0x47, 0x01, port & 0xFF, port >> 8, port & 0xFF, port >> 8, 0x00, 0x08)).isPositive();
        // 6.4.2.1 IRQ Descriptor without information byte: 0x22, 16-bit mask
        int mask = 1 << X86Layout.COM1_IRQ;
        assertThat(indexOf(dsdt, 0x22, mask & 0xFF, mask >> 8)).isPositive();

        byte[] spcr = x86Table("SPCR");
        // SPCR (Microsoft spec, revision 2): Base Address GAS @40 (address @44), IRQ @53, GSI @54
        assertThat(u64(spcr, 44)).isEqualTo(port);
        assertThat(spcr[53]).isEqualTo((byte) X86Layout.COM1_IRQ);
        assertThat(u32(spcr, 54)).isEqualTo(X86Layout.COM1_IRQ);
    }

    @Test
    void x86_qemu_command_line_turns_the_layouts_sleep_control_port_into_an_exit() {
        GuestImage image = GuestImage.builder(Arch.X86_64).ram(0, 128L << 20)
                .bootState(LongModeEntry.at(0x10_0000)).build();
        List<String> args = QemuCommandLine.build(image, Path.of("qemu"), Path.of("/tmp/w"),
                QemuCommandLine.Accelerator.TCG).args();
        assertThat(args).containsSubsequence("-device",
                "isa-debug-exit,iobase=0x" + Integer.toHexString(X86Layout.SLEEP_CONTROL_PORT) + ",iosize=2");
    }

    // ------------------------------------------------------------------ aarch64

    @Test
    void arm64_madt_gtdt_spcr_and_dsdt_name_the_layouts_gic_uart_and_timers() {
        byte[] apic = arm64Table("APIC");
        // ACPI 6.5 Table 5.57 GICD @+8; Table 5.59 GICR discovery range base @+4, length @+12;
        // Table 5.55 GICC MPIDR @+68
        assertThat(u64(madtEntries(apic, 0xC).get(0), 8)).isEqualTo(Arm64Layout.GICD_BASE);
        byte[] gicr = madtEntries(apic, 0xE).get(0);
        assertThat(u64(gicr, 4)).isEqualTo(Arm64Layout.GICR_BASE);
        assertThat(u32(gicr, 12)).isEqualTo(Arm64Layout.gicrSize(CPUS));
        List<Long> mpidrs = new ArrayList<>();
        for (byte[] gicc : madtEntries(apic, 0xB)) {
            mpidrs.add(u64(gicc, 68));
        }
        assertThat(mpidrs).containsExactly(Arm64Layout.mpidr(0), Arm64Layout.mpidr(1));

        byte[] gtdt = arm64Table("GTDT");
        // ACPI 6.5 Table 5.121: secure EL1 GSIV @48, non-secure EL1 @56, virtual @64, EL2 @72
        assertThat(u32(gtdt, 48)).isEqualTo(Arm64Layout.TIMER_PHYS_S_INTID);
        assertThat(u32(gtdt, 56)).isEqualTo(Arm64Layout.TIMER_PHYS_NS_INTID);
        assertThat(u32(gtdt, 64)).isEqualTo(Arm64Layout.TIMER_VIRT_INTID);
        assertThat(u32(gtdt, 72)).isEqualTo(Arm64Layout.TIMER_HYP_INTID);

        byte[] spcr = arm64Table("SPCR");
        assertThat(u64(spcr, 44)).isEqualTo(Arm64Layout.UART_BASE);
        assertThat(u32(spcr, 54)).isEqualTo(Arm64Layout.UART_INTID);

        byte[] dsdt = arm64Table("DSDT");
        long base = Arm64Layout.UART_BASE;
        long size = Arm64Layout.UART_SIZE;
        int intid = Arm64Layout.UART_INTID;
        // ACPI 6.5 6.4.3.4 Memory32Fixed: 0x86, length 9, read-write, base, length
        assertThat(indexOf(dsdt, 0x86, 0x09, 0x00, 0x01, (int) base & 0xFF, (int) (base >> 8) & 0xFF,
                (int) (base >> 16) & 0xFF, (int) (base >> 24) & 0xFF, (int) size & 0xFF, (int) (size >> 8) & 0xFF,
                (int) (size >> 16) & 0xFF, (int) (size >> 24) & 0xFF)).isPositive();
        // 6.4.3.6 Extended Interrupt: 0x89, length 6, flags, count 1, the INTID
        int at = indexOf(dsdt, 0x89, 0x06, 0x00);
        assertThat(at).isPositive();
        assertThat(dsdt[at + 4]).isEqualTo((byte) 1);
        assertThat(u32(dsdt, at + 5)).isEqualTo(intid);
    }

    @Test
    void arm64_device_tree_names_the_layouts_ram_gic_uart_and_timers() {
        long ram = 3584L << 20;
        FdtReader.Fdt fdt = FdtReader.parse(Arm64DeviceTree.full(CPUS, ram, "", null));
        assertThat(fdt.require("/memory@" + Long.toHexString(Arm64Layout.RAM_BASE)).u64Array("reg"))
                .containsExactly(Arm64Layout.RAM_BASE, ram);
        assertThat(fdt.require("/intc@" + Long.toHexString(Arm64Layout.GICD_BASE)).u64Array("reg")).containsExactly(
                Arm64Layout.GICD_BASE, Arm64Layout.GICD_SIZE, Arm64Layout.GICR_BASE, Arm64Layout.gicrSize(CPUS));
        FdtNode uart = fdt.require("/pl011@" + Long.toHexString(Arm64Layout.UART_BASE));
        assertThat(uart.u64Array("reg")).containsExactly(Arm64Layout.UART_BASE, Arm64Layout.UART_SIZE);
        // arm,gic-v3.yaml: SPI specifier <0 n flags> with n = INTID - 32; PPI <1 n flags>, n = INTID - 16
        assertThat(uart.u32Array("interrupts")).containsExactly(0, Arm64Layout.UART_INTID - Arm64Layout.SPI_BASE, 4);
        assertThat(fdt.require("/timer").u32Array("interrupts")).containsExactly(
                1, Arm64Layout.TIMER_PHYS_S_INTID - Arm64Layout.PPI_BASE, 4,
                1, Arm64Layout.TIMER_PHYS_NS_INTID - Arm64Layout.PPI_BASE, 4,
                1, Arm64Layout.TIMER_VIRT_INTID - Arm64Layout.PPI_BASE, 4,
                1, Arm64Layout.TIMER_HYP_INTID - Arm64Layout.PPI_BASE, 4);
        assertThat(fdt.require("/cpus/cpu@" + Long.toHexString(Arm64Layout.mpidr(1))).u32("reg"))
                .isEqualTo((int) Arm64Layout.mpidr(1));
    }

    @Test
    void arm64_qemu_command_line_keeps_the_trampoline_in_the_layouts_firmware_window() {
        GuestImage image = GuestImage.builder(Arch.AARCH64).ram(Arm64Layout.RAM_BASE, 128L << 20)
                .bootState(new Arm64BootState(Arm64Layout.KERNEL_BASE, Arm64Layout.FIRMWARE_BASE)).build();
        List<String> args = QemuCommandLine.build(image, Path.of("qemu"), Path.of("/tmp/w"),
                QemuCommandLine.Accelerator.TCG).args();
        // the top of the firmware window, below the kernel: inside the window, above QEMU's DTB
        long trampoline = Arm64Layout.KERNEL_BASE - 0x40;
        assertThat(trampoline).isGreaterThanOrEqualTo(Arm64Layout.FIRMWARE_BASE)
                .isLessThan(Arm64Layout.FIRMWARE_BASE + Arm64Layout.FIRMWARE_SIZE);
        assertThat(args).contains("loader,addr=0x" + Long.toHexString(trampoline) + ",cpu-num=0");
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] x86Table(String signature) {
        AcpiLayout layout = X86AcpiTables.tableSet(X86AcpiParams.defaults(CPUS, List.of(new MemoryRange(0, 512L << 20))))
                .layout(X86Layout.ACPI_TABLES_START);
        return table(layout, signature);
    }

    private static byte[] arm64Table(String signature) {
        return table(Arm64AcpiTables.tableSet(Arm64AcpiParams.qemuVirt(CPUS)).layout(Arm64Layout.FIRMWARE_BASE), signature);
    }

    private static byte[] table(AcpiLayout layout, String signature) {
        return layout.tables().stream().filter(t -> t.signature().equals(signature)).map(PlacedTable::bytes)
                .findFirst().orElseThrow(() -> new AssertionError("no " + signature + " among " + layout.tables()));
    }

    /** MADT interrupt controller structures of {@code type} (ACPI 6.5 5.2.12: type, length, ...). */
    private static List<byte[]> madtEntries(byte[] madt, int type) {
        List<byte[]> found = new ArrayList<>();
        for (int at = 44; at < madt.length; at += madt[at + 1] & 0xFF) {
            if ((madt[at] & 0xFF) == type) {
                found.add(java.util.Arrays.copyOfRange(madt, at, at + (madt[at + 1] & 0xFF)));
            }
        }
        return found;
    }

    private static int indexOf(byte[] haystack, int... needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if ((haystack[i + j] & 0xFF) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int u16(byte[] b, int at) {
        return le(b).getShort(at) & 0xFFFF;
    }

    private static long u32(byte[] b, int at) {
        return le(b).getInt(at) & 0xFFFF_FFFFL;
    }

    private static long u64(byte[] b, int at) {
        return le(b).getLong(at);
    }
}
