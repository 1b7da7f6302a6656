package dev.linuxvm.engine.acpi;

/**
 * Fixed ACPI Description Table, signature "FACP" (ACPI 6.5 section 5.2.9, Table 5.9), revision
 * 6 minor 3 (ACPI 6.3 layout; 276 bytes; GICC entries are then 80 bytes, which is what Linux
 * 6.1 expects for FADT revision 6). Build it with {@link #x86} or {@link #arm64}; the DSDT
 * address comes from {@link AcpiTableSet} through {@link #withDsdt}.
 *
 * <p>Only 64-bit fields are used for the DSDT (X_DSDT; the 32-bit DSDT field is 0 as the spec
 * allows when X_DSDT is set) and FACS (none: FIRMWARE_CTRL and X_FIRMWARE_CTRL 0; no S3/S4).
 */
public record Fadt(
        /* Flags (Table 5.10). */
        long flags,
        /* SCI_INT: the SCI's ISA IRQ (x86). */
        int sciInt,
        /* PM1a_EVT_BLK: I/O port of PM1 status (2 bytes) + enable (2 bytes), 0 for none. */
        int pm1aEvtBlk,
        /* PM1_EVT_LEN. */
        int pm1EvtLen,
        /* PM1a_CNT_BLK: I/O port of the PM1 control register, 0 for none. */
        int pm1aCntBlk,
        /* PM1_CNT_LEN. */
        int pm1CntLen,
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
     * The x86 FADT, full (not hardware-reduced) ACPI so that S5 goes through PM1a_CNT:
     * <ul>
     * <li>PM1a_EVT_BLK at {@code pm1aEvtBlk}, 4 bytes (PM1_STS, PM1_EN). Needed although nothing
     * raises events: ACPICA clears PM1_STS before entering S5 and aborts the sleep if that
     * register has no address. Measured with Debian's 6.1 kernel: without it the kernel logs
     * "Required FADT field Pm1aEventBlock has zero address" and {@code poweroff -f} ends in
     * "System halted" with no PM1a_CNT write; with it, S5 is written. The backend should read
     * these four ports as 0 and ignore writes.</li>
     * <li>PM1a_CNT_BLK at {@code pm1aCntBlk}, 2 bytes; no PM1b, no PM2, no PM timer
     * (PM_TMR_LEN 0: the kernel then uses other clocksources), no GPE blocks, SMI_CMD 0
     * (the platform is always in ACPI mode).</li>
     * <li>SCI_INT {@code sciInt} (never raised).</li>
     * <li>RESET_REG = 1-byte I/O {@code resetPort}, RESET_VALUE {@code resetValue}.</li>
     * <li>Flags: WBINVD | PROC_C1 | PWR_BUTTON | SLP_BUTTON | FIX_RTC | RESET_REG_SUP | HEADLESS
     * (no fixed buttons, no RTC wake, no video/input).</li>
     * </ul>
     */
    public static Fadt x86(int sciInt, int pm1aEvtBlk, int pm1aCntBlk, int resetPort, int resetValue,
            int iapcBootArch) {
        long flags = WBINVD | PROC_C1 | PWR_BUTTON | SLP_BUTTON | FIX_RTC | RESET_REG_SUP | HEADLESS;
        return new Fadt(flags, sciInt, pm1aEvtBlk, pm1aEvtBlk == 0 ? 0 : 4, pm1aCntBlk, pm1aCntBlk == 0 ? 0 : 2,
                iapcBootArch, Gas.io(resetPort, 1), resetValue, 0, 0);
    }

    /**
     * The arm64 FADT: HW_REDUCED_ACPI (Linux rejects arm64 FADTs without it), ARM_BOOT_ARCH =
     * PSCI_COMPLIANT | PSCI_USE_HVC (power off and CPU bring-up through PSCI over HVC), no PM
     * blocks, no SCI, no reset register.
     */
    public static Fadt arm64() {
        return new Fadt(HW_REDUCED_ACPI, 0, 0, 0, 0, 0, 0, Gas.NONE, 0, PSCI_COMPLIANT | PSCI_USE_HVC, 0);
    }

    /** This FADT pointing at the DSDT at {@code dsdtAddress}. */
    public Fadt withDsdt(long dsdtAddress) {
        return new Fadt(flags, sciInt, pm1aEvtBlk, pm1EvtLen, pm1aCntBlk, pm1CntLen, iapcBootArch, resetReg,
                resetValue, armBootArch, dsdtAddress);
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
                .u32(pm1aEvtBlk)         // PM1a_EVT_BLK
                .u32(0)                  // PM1b_EVT_BLK
                .u32(pm1aCntBlk)         // PM1a_CNT_BLK
                .u32(0)                  // PM1b_CNT_BLK
                .u32(0)                  // PM2_CNT_BLK
                .u32(0)                  // PM_TMR_BLK: no PM timer
                .u32(0)                  // GPE0_BLK
                .u32(0)                  // GPE1_BLK
                .u8(pm1EvtLen)           // PM1_EVT_LEN
                .u8(pm1CntLen)           // PM1_CNT_LEN
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
        // X_PM1a_EVT_BLK: two 16-bit registers (PM1_STS, PM1_EN), so word access
        (pm1aEvtBlk == 0 ? Gas.NONE
                : new Gas(Gas.SYSTEM_IO, 8 * pm1EvtLen, 0, Gas.ACCESS_WORD, pm1aEvtBlk)).write(w);
        Gas.NONE.write(w);                                                        // X_PM1b_EVT_BLK
        (pm1aCntBlk == 0 ? Gas.NONE : Gas.io(pm1aCntBlk, pm1CntLen)).write(w); // X_PM1a_CNT_BLK
        Gas.NONE.write(w);               // X_PM1b_CNT_BLK
        Gas.NONE.write(w);               // X_PM2_CNT_BLK
        Gas.NONE.write(w);               // X_PM_TMR_BLK
        Gas.NONE.write(w);               // X_GPE0_BLK
        Gas.NONE.write(w);               // X_GPE1_BLK
        Gas.NONE.write(w);               // SLEEP_CONTROL_REG
        Gas.NONE.write(w);               // SLEEP_STATUS_REG
        w.u64(0);                        // Hypervisor Vendor Identity
        return SdtHeader.seal(w);
    }
}
