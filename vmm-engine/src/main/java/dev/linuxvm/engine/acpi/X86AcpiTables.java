package dev.linuxvm.engine.acpi;

import dev.linuxvm.engine.acpi.aml.Aml;
import dev.linuxvm.engine.acpi.aml.AmlPackage;
import dev.linuxvm.engine.acpi.aml.Device;
import dev.linuxvm.engine.acpi.aml.EisaId;
import dev.linuxvm.engine.acpi.aml.IoPort;
import dev.linuxvm.engine.acpi.aml.IrqNoFlags;
import dev.linuxvm.engine.acpi.aml.Name;
import dev.linuxvm.engine.acpi.aml.ResourceTemplate;
import dev.linuxvm.engine.acpi.aml.Scope;
import java.util.ArrayList;
import java.util.List;

/**
 * The x86_64 table set: FACP, DSDT, APIC (MADT), SRAT, SPCR, optionally HPET. Usage:
 * {@code X86AcpiTables.tableSet(params).layout(base)}, then store {@code layout.region(...)}
 * (e820 type ACPI) and {@code layout.rsdp()} at 0xE0000.
 */
public final class X86AcpiTables {
    private X86AcpiTables() {
    }

    /**
     * Power-off contract. The FADT is hardware-reduced ({@link Fadt#x86}), so on {@code poweroff}
     * Linux (ACPICA acpi_hw_extended_sleep) writes, 8 bits each, WAK_STS (0x80) to
     * SLEEP_STATUS_REG (I/O 0x600, ignored) and then {@code SLP_TYP << 2 | SLP_EN} with SLP_TYP
     * from {@code \_S5}, 0x34, to SLEEP_CONTROL_REG (I/O 0x604). A backend powers off on the
     * control write for which {@link #isSleepControlRequest(int, int) isSleepControlRequest(value,
     * 5)} holds. QEMU's {@code isa-debug-exit,iobase=0x604,iosize=2} exits on it with status
     * {@code (0x34 << 1 | 1) & 0xFF} = 105.
     *
     * <p>The legacy PM1_CNT form below (16 bits, SLP_TYP at bit 10, SLP_EN at bit 13; ACPI 6.5
     * section 4.8.3.2.1, Table 4.13) is what a full-ACPI FADT made the kernel write (0x1400, then
     * 0x3400; isa-debug-exit status 1) and what hand-written test guests still write to the same
     * port; the KVM backend takes both.
     */
    public static final int SLP_TYP_SHIFT = 10;
    /** PM1_CNT SLP_EN (ACPI 6.5 section 4.8.3.2.1, Table 4.13). */
    public static final int SLP_EN = 1 << 13;
    /** PM1_CNT SLP_TYP field mask. */
    public static final int SLP_TYP_MASK = 0b111 << SLP_TYP_SHIFT;
    /** Sleep control register SLP_TYPx position, bits 4:2 (ACPI 6.5 section 4.8.3.7). */
    public static final int SLEEP_CONTROL_SLP_TYP_SHIFT = 2;
    /** Sleep control register SLP_TYPx field mask. */
    public static final int SLEEP_CONTROL_SLP_TYP_MASK = 0b111 << SLEEP_CONTROL_SLP_TYP_SHIFT;
    /** Sleep control register SLP_EN, bit 5 (ACPI 6.5 section 4.8.3.7). */
    public static final int SLEEP_CONTROL_SLP_EN = 1 << 5;

    /**
     * FACP, DSDT, APIC, SRAT, SPCR, then {@code extra} tables (e.g. {@link Hpet#qemu()} when the
     * executor's machine has an HPET).
     */
    public static AcpiTableSet tableSet(X86AcpiParams p, AcpiTable... extra) {
        List<AcpiTable> others = new ArrayList<>(List.of(madt(p), srat(p), spcr(p)));
        others.addAll(List.of(extra));
        return new AcpiTableSet(fadt(p), dsdt(p), others);
    }

    public static Fadt fadt(X86AcpiParams p) {
        return Fadt.x86(p.sciIrq(), p.sleepStatusPort(), p.sleepControlPort(), p.resetPort(), p.resetValue(),
                p.iapcBootArch());
    }

    /**
     * <pre>
     * DefinitionBlock ("", "DSDT", 2, "LNXVM ", "LINUXVM ", 1) {
     *     Name (\_S5, Package () { 5, 5, 0, 0 })   // SLP_TYPa, SLP_TYPb, reserved
     *     Scope (\_SB) {
     *         Device (COM1) {
     *             Name (_HID, EisaId ("PNP0501"))
     *             Name (_UID, One)
     *             Name (_STA, 0x0F)
     *             Name (_CRS, ResourceTemplate () {
     *                 IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08)
     *                 IRQNoFlags () { 4 }
     *             })
     *         }
     *         Device (VIO0) {                              // only with a data port
     *             Name (_HID, "LNRO0005")                  // virtio-mmio (drivers/virtio/virtio_mmio.c)
     *             Name (_UID, Zero)
     *             Name (_STA, 0x0F)
     *             Name (_CRS, ResourceTemplate () {
     *                 Memory32Fixed (ReadWrite, 0xFEB00000, 0x00000200)
     *                 Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { 5 }
     *             })
     *         }
     *     }
     * }
     * </pre>
     */
    public static Dsdt dsdt(X86AcpiParams p) {
        List<Aml> devices = new ArrayList<>();
        devices.add(Device.of("COM1",
                Name.of("_HID", EisaId.of("PNP0501")),
                Name.of("_UID", 1),
                Name.of("_STA", 0x0F), // present, enabled, shown in UI, functioning
                Name.of("_CRS", ResourceTemplate.of(
                        IoPort.fixed16(p.com1Port(), 0x00, 8), // 8 16550 registers
                        IrqNoFlags.of(p.com1Irq())))));
        p.dataPort().ifPresent(port -> devices.add(VirtioMmioDevice.of("VIO0", port)));
        return Dsdt.of(
                Name.of("\\_S5", AmlPackage.ofIntegers(p.s5SleepType(), p.s5SleepType(), 0, 0)),
                Scope.of("\\_SB", devices.toArray(Aml[]::new)));
    }

    public static Madt madt(X86AcpiParams p) {
        List<MadtEntry> entries = new ArrayList<>();
        for (int cpu = 0; cpu < p.cpus(); cpu++) {
            entries.add(new LocalApic(cpu, cpu, true));
        }
        entries.add(new IoApic(p.ioApicId(), p.ioApicAddress(), 0));
        entries.addAll(p.overrides());
        return new Madt(p.localApicAddress(), Madt.PCAT_COMPAT, entries);
    }

    public static Srat srat(X86AcpiParams p) {
        List<SratEntry> entries = new ArrayList<>();
        for (int cpu = 0; cpu < p.cpus(); cpu++) {
            entries.add(new SratLocalApicAffinity(0, cpu));
        }
        for (MemoryRange r : p.ram()) {
            entries.add(new SratMemoryAffinity(0, r.base(), r.length()));
        }
        return new Srat(entries);
    }

    public static Spcr spcr(X86AcpiParams p) {
        return Spcr.uart16550(p.com1Port(), p.com1Irq());
    }

    /** True when a 16-bit write to PM1a_CNT requests S{@code sleepType} (SLP_EN set, SLP_TYP matching). */
    public static boolean isSleepRequest(int pm1Control, int sleepType) {
        return (pm1Control & SLP_EN) != 0 && ((pm1Control & SLP_TYP_MASK) >>> SLP_TYP_SHIFT) == sleepType;
    }

    /**
     * True when an 8-bit write to SLEEP_CONTROL_REG requests S{@code sleepType} (SLP_EN set,
     * SLP_TYPx matching): {@code 0x34} for S5.
     */
    public static boolean isSleepControlRequest(int sleepControl, int sleepType) {
        return (sleepControl & SLEEP_CONTROL_SLP_EN) != 0
                && ((sleepControl & SLEEP_CONTROL_SLP_TYP_MASK) >>> SLEEP_CONTROL_SLP_TYP_SHIFT) == sleepType;
    }
}
