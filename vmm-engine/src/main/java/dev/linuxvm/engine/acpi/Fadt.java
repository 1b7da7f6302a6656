package dev.linuxvm.engine.acpi;

/**
 * Fixed ACPI Description Table, signature "FACP" (ACPI 6.5 section 5.2.9, Table 5.9), revision
 * 6 minor 3 (ACPI 6.3 layout; 276 bytes; GICC entries are then 80 bytes, which is what Linux
 * 6.1 expects for FADT revision 6). Build it with {@link #x86} or {@link #arm64}; the DSDT
 * address comes from {@link AcpiTableSet} through {@link #withDsdt}.
 *
 * <p>Only 64-bit fields are used for the DSDT (X_DSDT; the 32-bit DSDT field is 0 as the spec
 * allows when X_DSDT is set) and FACS (none: FIRMWARE_CTRL and X_FIRMWARE_CTRL 0; no S3/S4).
 * Both architectures are hardware-reduced (no PM1 or GPE blocks, no PM timer): the PM1 fields
 * are written as zero.
 */
public record Fadt(
        /* Flags (Table 5.10). */
        long flags,
        /* SCI_INT: the SCI's ISA IRQ (x86). */
        int sciInt,
        /* SLEEP_CONTROL_REG (ACPI 6.5 section 4.8.3.7), Gas.NONE for none. */
        Gas sleepControlReg,
        /* SLEEP_STATUS_REG (ACPI 6.5 section 4.8.3.7), Gas.NONE for none. */
        Gas sleepStatusReg,
        /* IAPC_BOOT_ARCH (Table 5.11). */
        int iapcBootArch,
        /* RESET_REG. */
        Gas resetReg,
        /* RESET_VALUE. */
        int resetValue,
        /* ARM_BOOT_ARCH (Table 5.12). */
        int armBootArch,
        /* X_DSDT. */
        long xDsdt) implements AcpiTable {

    /** Size in bytes (ACPI 6.x). */
    public static final int SIZE = 276;
    /** Revision (major). */
    public static final int REVISION = 6;
    /** FADT Minor Version: ACPI 6.3. */
    public static final int MINOR_VERSION = 3;

    /** Flags bit 0: WBINVD works (required of every ACPI 2.0+ x86 platform). */
    public static final long WBINVD = 1L << 0;
    /** Flags bit 2: C1 is supported on all processors. */
    public static final long PROC_C1 = 1L << 2;
    /** Flags bit 4: the power button, if any, is a control-method device (no fixed button). */
    public static final long PWR_BUTTON = 1L << 4;
    /** Flags bit 5: the sleep button, if any, is a control-method device (no fixed button). */
    public static final long SLP_BUTTON = 1L << 5;
    /** Flags bit 6: RTC wake status is not in the fixed register space. */
    public static final long FIX_RTC = 1L << 6;
    /** Flags bit 10: RESET_REG is supported. */
    public static final long RESET_REG_SUP = 1L << 10;
    /** Flags bit 12: no local video or input devices. */
    public static final long HEADLESS = 1L << 12;
    /** Flags bit 20: HW_REDUCED_ACPI, no fixed hardware (required on arm64). */
    public static final long HW_REDUCED_ACPI = 1L << 20;

    /** IAPC_BOOT_ARCH bit 1: an 8042 keyboard controller is present. */
    public static final int IAPC_8042 = 1 << 1;
    /** IAPC_BOOT_ARCH bit 2: VGA Not Present. */
    public static final int IAPC_VGA_NOT_PRESENT = 1 << 2;
    /** IAPC_BOOT_ARCH bit 3: MSI Not Supported. */
    public static final int IAPC_MSI_NOT_SUPPORTED = 1 << 3;
    /** IAPC_BOOT_ARCH bit 5: CMOS RTC Not Present. */
    public static final int IAPC_CMOS_RTC_NOT_PRESENT = 1 << 5;

    /** ARM_BOOT_ARCH bit 0: PSCI_COMPLIANT. */
    public static final int PSCI_COMPLIANT = 1;
    /** ARM_BOOT_ARCH bit 1: PSCI_USE_HVC (else SMC). */
    public static final int PSCI_USE_HVC = 1 << 1;

    /** Preferred_PM_Profile: 0 Unspecified (QEMU and Firecracker use the same). */
    public static final int PM_PROFILE_UNSPECIFIED = 0;

    /**
     * The x86 FADT, hardware-reduced ACPI (ACPI 6.5 section 4.1) like QEMU's microvm: no PM1 or
     * GPE blocks, no PM timer, no SMI_CMD, no FACS.
     * <ul>
     * <li>Why: on a full-ACPI FADT Linux keeps the legacy PC timer setup: check_timer (routing
     * the PIT through the IOAPIC, about 21 ms under TCG) and, after calibrating the LAPIC timer,
     * a second 100 ms "verify APIC timer" pass against the PIT tick. With HW_REDUCED_ACPI,
     * arch/x86/kernel/acpi/boot.c acpi_generic_reduced_hw_init() makes
     * {@code x86_init.timers.timer_init} a no-op and {@code legacy_pic} the null PIC, so neither
     * runs (Debian 6.1 under TCG, {@code apic=verbose}: the verify pass took 0.627 to 0.735 s,
     * "..TIMER:" is gone and "preallocated irqs" is 0).</li>
     * <li>Power off: SLEEP_CONTROL_REG = 1-byte I/O {@code sleepControlPort}, SLEEP_STATUS_REG
     * = 1-byte I/O {@code sleepStatusPort}. Linux offers S5 (and so {@code pm_power_off}) on a
     * reduced platform only when both have an address (drivers/acpi/sleep.c
     * acpi_sleep_state_supported); ACPICA's acpi_hw_extended_sleep then writes WAK_STS (0x80)
     * to the status register and {@code SLP_TYP << 2 | SLP_EN} (bit 5) to the control register,
     * SLP_TYP from the DSDT's {@code \_S5}: 0x34 for S5. The two must be different ports (the
     * 0x80 write must not power off).</li>
     * <li>SCI_INT {@code sciInt}: ignored on a reduced platform (ACPI 6.5 section 5.2.9; ACPICA
     * installs no SCI handler). Kept non-zero on purpose: Linux takes the MADT override whose
     * source equals SCI_INT as the SCI's (acpi_parse_int_src_ovr), and 0 would turn the PIT's
     * IRQ 0 override into that.</li>
     * <li>RESET_REG = 1-byte I/O {@code resetPort}, RESET_VALUE {@code resetValue}.</li>
     * <li>Flags: HW_REDUCED_ACPI | RESET_REG_SUP | HEADLESS, and WBINVD | PROC_C1 | PWR_BUTTON |
     * SLP_BUTTON | FIX_RTC, which stay true of a reduced platform (no fixed buttons, no fixed
     * RTC wake; Linux scans no fixed button devices there anyway).</li>
     * </ul>
     */
    public static Fadt x86(int sciInt, int sleepStatusPort, int sleepControlPort, int resetPort, int resetValue,
            int iapcBootArch) {
        long flags = WBINVD | PROC_C1 | PWR_BUTTON | SLP_BUTTON | FIX_RTC | RESET_REG_SUP | HEADLESS | HW_REDUCED_ACPI;
        return new Fadt(flags, sciInt, Gas.io(sleepControlPort, 1), Gas.io(sleepStatusPort, 1),
                iapcBootArch, Gas.io(resetPort, 1), resetValue, 0, 0);
    }

    /**
     * The arm64 FADT: HW_REDUCED_ACPI (Linux rejects arm64 FADTs without it), ARM_BOOT_ARCH =
     * PSCI_COMPLIANT | PSCI_USE_HVC (power off and CPU bring-up through PSCI over HVC), no PM
     * blocks, no SCI, no reset register.
     */
    public static Fadt arm64() {
        return new Fadt(HW_REDUCED_ACPI, 0, Gas.NONE, Gas.NONE, 0, Gas.NONE, 0, PSCI_COMPLIANT | PSCI_USE_HVC, 0);
    }

    /** This FADT pointing at the DSDT at {@code dsdtAddress}. */
    public Fadt withDsdt(long dsdtAddress) {
        return new Fadt(flags, sciInt, sleepControlReg, sleepStatusReg, iapcBootArch, resetReg, resetValue,
                armBootArch, dsdtAddress);
    }

    @Override
    public String signature() {
        return "FACP";
    }

    @Override
    public byte[] toBytes() {
        TableWriter w = new TableWriter();
        SdtHeader.write(w, signature(), REVISION);
        w.u32(0)                         // FIRMWARE_CTRL: no FACS
                .u32(0)                  // DSDT: 0, X_DSDT is used
                .u8(0)                   // Reserved (ACPI 1.0 INT_MODEL)
                .u8(PM_PROFILE_UNSPECIFIED) // Preferred_PM_Profile
                .u16(sciInt)             // SCI_INT
                .u32(0)                  // SMI_CMD: none, always in ACPI mode
                .u8(0)                   // ACPI_ENABLE
                .u8(0)                   // ACPI_DISABLE
                .u8(0)                   // S4BIOS_REQ
                .u8(0)                   // PSTATE_CNT
                .u32(0)                  // PM1a_EVT_BLK: none (hardware-reduced)
                .u32(0)                  // PM1b_EVT_BLK
                .u32(0)                  // PM1a_CNT_BLK: none
                .u32(0)                  // PM1b_CNT_BLK
                .u32(0)                  // PM2_CNT_BLK
                .u32(0)                  // PM_TMR_BLK: no PM timer
                .u32(0)                  // GPE0_BLK
                .u32(0)                  // GPE1_BLK
                .u8(0)                   // PM1_EVT_LEN
                .u8(0)                   // PM1_CNT_LEN
                .u8(0)                   // PM2_CNT_LEN
                .u8(0)                   // PM_TMR_LEN
                .u8(0)                   // GPE0_BLK_LEN
                .u8(0)                   // GPE1_BLK_LEN
                .u8(0)                   // GPE1_BASE
                .u8(0)                   // CST_CNT
                .u16(0)                  // P_LVL2_LAT
                .u16(0)                  // P_LVL3_LAT
                .u16(0)                  // FLUSH_SIZE
                .u16(0)                  // FLUSH_STRIDE
                .u8(0)                   // DUTY_OFFSET
                .u8(0)                   // DUTY_WIDTH
                .u8(0)                   // DAY_ALRM
                .u8(0)                   // MON_ALRM
                .u8(0)                   // CENTURY
                .u16(iapcBootArch)       // IAPC_BOOT_ARCH
                .u8(0)                   // Reserved
                .u32(flags);             // Flags
        resetReg.write(w);               // RESET_REG
        w.u8(resetValue)                 // RESET_VALUE
                .u16(armBootArch)        // ARM_BOOT_ARCH
                .u8(MINOR_VERSION)       // FADT Minor Version
                .u64(0)                  // X_FIRMWARE_CTRL
                .u64(xDsdt);             // X_DSDT
        Gas.NONE.write(w);               // X_PM1a_EVT_BLK
        Gas.NONE.write(w);               // X_PM1b_EVT_BLK
        Gas.NONE.write(w);               // X_PM1a_CNT_BLK
        Gas.NONE.write(w);               // X_PM1b_CNT_BLK
        Gas.NONE.write(w);               // X_PM2_CNT_BLK
        Gas.NONE.write(w);               // X_PM_TMR_BLK
        Gas.NONE.write(w);               // X_GPE0_BLK
        Gas.NONE.write(w);               // X_GPE1_BLK
        sleepControlReg.write(w);        // SLEEP_CONTROL_REG (offset 244)
        sleepStatusReg.write(w);         // SLEEP_STATUS_REG (offset 256)
        w.u64(0);                        // Hypervisor Vendor Identity
        return SdtHeader.seal(w);
    }
}
