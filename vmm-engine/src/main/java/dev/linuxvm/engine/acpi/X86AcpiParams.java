package dev.linuxvm.engine.acpi;

import dev.linuxvm.engine.DataPort;
import dev.linuxvm.engine.boot.x86.X86Layout;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the x86 tables describe. {@link #defaults} gives the platform of vmm-engine/README.md, "x86_64", every
 * address, port and interrupt read from {@link X86Layout}.
 *
 * @param cpus                 vCPUs; CPU i has ACPI Processor UID i and APIC ID i
 * @param ram                  guest RAM ranges (SRAT memory affinity, proximity domain 0); must
 *                             cover every e820 RAM range exactly: measured with Debian 6.1, RAM
 *                             outside every SRAT range lands in node 1024 and the kernel oopses
 *                             in free_area_init
 * @param localApicAddress     MADT Local Interrupt Controller Address
 * @param ioApicId             I/O APIC ID (KVM's in-kernel IOAPIC resets to 0)
 * @param ioApicAddress        I/O APIC MMIO base
 * @param overrides            MADT interrupt source overrides
 * @param sciIrq               FADT SCI_INT (ignored by OSPM on a hardware-reduced platform, see
 *                             {@link Fadt#x86})
 * @param sleepStatusPort      SLEEP_STATUS_REG I/O port (8-bit)
 * @param sleepControlPort     SLEEP_CONTROL_REG I/O port (8-bit)
 * @param resetPort            RESET_REG I/O port
 * @param resetValue           RESET_VALUE
 * @param iapcBootArch         FADT IAPC_BOOT_ARCH
 * @param s5SleepType          SLP_TYPa/SLP_TYPb in {@code \_S5}
 * @param com1Port             COM1 16550 I/O base
 * @param com1Irq              COM1 ISA IRQ
 * @param dataPort             the virtio-mmio data port the DSDT describes, if the guest has one
 */
public record X86AcpiParams(int cpus, List<MemoryRange> ram, long localApicAddress, int ioApicId, long ioApicAddress,
        List<InterruptSourceOverride> overrides, int sciIrq, int sleepStatusPort, int sleepControlPort, int resetPort,
        int resetValue, int iapcBootArch, int s5SleepType, int com1Port, int com1Irq, Optional<DataPort> dataPort) {

    /** x86 xAPIC IDs are 8 bits and 0xFF is the broadcast ID. */
    public static final int MAX_CPUS = 255;

    public X86AcpiParams {
        if (cpus < 1 || cpus > MAX_CPUS) {
            throw new AcpiException("x86 ACPI: " + cpus + " CPUs; use 1 to " + MAX_CPUS + " (8-bit xAPIC IDs)");
        }
        ram = List.copyOf(ram);
        if (ram.isEmpty()) {
            throw new AcpiException("x86 ACPI: no RAM ranges given for the SRAT");
        }
        overrides = List.copyOf(overrides);
        if (s5SleepType < 0 || s5SleepType > 7) {
            throw new AcpiException("x86 ACPI: S5 sleep type " + s5SleepType + " does not fit SLP_TYP (3 bits)");
        }
        Objects.requireNonNull(dataPort, "dataPort");
    }

    /** Without a data port. */
    public X86AcpiParams(int cpus, List<MemoryRange> ram, long localApicAddress, int ioApicId, long ioApicAddress,
            List<InterruptSourceOverride> overrides, int sciIrq, int sleepStatusPort, int sleepControlPort, int resetPort,
            int resetValue, int iapcBootArch, int s5SleepType, int com1Port, int com1Irq) {
        this(cpus, ram, localApicAddress, ioApicId, ioApicAddress, overrides, sciIrq, sleepStatusPort, sleepControlPort, resetPort,
                resetValue, iapcBootArch, s5SleepType, com1Port, com1Irq, Optional.empty());
    }

    /** These tables with {@code port} described in the DSDT. */
    public X86AcpiParams withDataPort(DataPort port) {
        return new X86AcpiParams(cpus, ram, localApicAddress, ioApicId, ioApicAddress, overrides, sciIrq, sleepStatusPort,
                sleepControlPort, resetPort, resetValue, iapcBootArch, s5SleepType, com1Port, com1Irq, Optional.of(port));
    }
    /**
     * The platform's MADT interrupt source overrides. The KVM backend routes its in-kernel
     * IOAPIC from this same list, so the wiring the guest reads is the wiring it gets.
     */
    public static final List<InterruptSourceOverride> ISA_OVERRIDES = List.of(
            // ISA IRQ 0 (PIT) is wired to IOAPIC pin 2, as on a PC (QEMU too)
            new InterruptSourceOverride(X86Layout.PIT_IRQ, X86Layout.PIT_GSI, InterruptSourceOverride.CONFORMS),
            // SCI: level-triggered, active-high (ACPI's default for SCI would be active-low)
            new InterruptSourceOverride(X86Layout.SCI_IRQ, X86Layout.SCI_IRQ,
                    InterruptSourceOverride.LEVEL | InterruptSourceOverride.ACTIVE_HIGH));

    /** SLP_TYP for S5 that our \_S5 declares (the guest writes SLP_TYP=5 | SLP_EN to the sleep control register). */
    public static final int S5_SLEEP_TYPE = 5;

    /**
     * The x86_64 platform (vmm-engine/README.md, "x86_64"), addresses, ports and interrupts from
     * {@link X86Layout}: the LAPIC, IOAPIC id 0 (GSI base 0), the ISA overrides above, the SCI,
     * the sleep control and status registers, the reset register with
     * {@link X86Layout#RESET_VALUE}, IAPC_BOOT_ARCH = VGA Not Present | CMOS RTC Not Present (no
     * 8042, so Linux skips the i8042 probe; no RTC device emulated), \_S5 = {@link #S5_SLEEP_TYPE},
     * COM1.
     */
    public static X86AcpiParams defaults(int cpus, List<MemoryRange> ram) {
        return new X86AcpiParams(cpus, ram, X86Layout.LAPIC_START, 0, X86Layout.IOAPIC_START, ISA_OVERRIDES,
                X86Layout.SCI_IRQ, X86Layout.SLEEP_STATUS_PORT, X86Layout.SLEEP_CONTROL_PORT,
                X86Layout.RESET_PORT, X86Layout.RESET_VALUE,
                Fadt.IAPC_VGA_NOT_PRESENT | Fadt.IAPC_CMOS_RTC_NOT_PRESENT,
                S5_SLEEP_TYPE, X86Layout.COM1_PORT, X86Layout.COM1_IRQ);
    }
}
