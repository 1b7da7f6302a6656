package dev.linuxvm.engine.devices;

import dev.linuxvm.engine.boot.x86.X86Layout;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The ACPI sleep control register at {@link X86Layout#SLEEP_CONTROL_PORT} on linuxvm's x86_64
 * machine, in both forms a guest may use:
 * <ul>
 * <li>an 8-bit write at offset 0 is the hardware-reduced SLEEP_CONTROL_REG (ACPI 6.5, 4.8.3.7
 * "Sleep Control and Status Registers"; SLP_TYPx bits 4:2, SLP_EN bit 5), which the FADT
 * describes and Linux writes on power off: {@code 0x34} for S5;</li>
 * <li>a 16-bit write is the legacy PM1a control register (ACPI 6.5, 4.8.3.2.1 "PM1 Control
 * Registers", Table 4.13; SLP_TYP bits 12:10, SLP_EN bit 13), which full-ACPI tables made the
 * kernel write ({@code 0x3400}) and hand-written test guests still do (SmokeGuests).</li>
 * </ul>
 * The two do not collide: bits 2-8 of PM1_CNT are reserved, and nothing writes its low byte
 * alone. A write with SLP_EN set and SLP_TYP equal to the value the DSDT's {@code \_S5} package
 * gives is a request for S5 (soft off) and is reported as power off.
 *
 * <p>Decision: only the configured S5 type powers off. linuxvm's DSDT advertises no other
 * sleep state, so a write of SLP_EN with another SLP_TYP means the guest and the tables
 * disagree; it is counted ({@link #unsupportedSleepRequests()}) and ignored rather than
 * guessed at. The S5 type is a constructor parameter so the platform passes the same constant
 * its DSDT emits.
 *
 * <p>Reads return SCI_EN set (the machine is always in ACPI mode; the FADT has no SMI_CMD) and
 * the last written SLP_TYP; SLP_EN is write-only and reads as zero.
 */
public final class Pm1Control implements PortIoDevice {
    /** PM1_CNT_LEN: the register is 2 bytes wide. */
    public static final int LENGTH = 2;
    /** SCI_EN, bit 0: SCI interrupts are enabled, the machine is in ACPI mode. */
    public static final int SCI_EN = 1;
    /** SLP_TYP, bits 12:10: the sleep type to enter when SLP_EN is written. */
    public static final int SLP_TYP_SHIFT = 10;
    public static final int SLP_TYP_MASK = 0x7 << SLP_TYP_SHIFT;
    /** SLP_EN, bit 13: write-only, enters the sleep state in SLP_TYP. */
    public static final int SLP_EN = 1 << 13;
    /** SLEEP_CONTROL_REG SLP_TYPx, bits 4:2 (8-bit register). */
    public static final int SLEEP_CONTROL_SLP_TYP_SHIFT = 2;
    public static final int SLEEP_CONTROL_SLP_TYP_MASK = 0x7 << SLEEP_CONTROL_SLP_TYP_SHIFT;
    /** SLEEP_CONTROL_REG SLP_EN, bit 5: enters the sleep state in SLP_TYPx. */
    public static final int SLEEP_CONTROL_SLP_EN = 1 << 5;
    /** The SLP_TYP linuxvm's DSDT puts in {@code \_S5} unless told otherwise. */
    public static final int DEFAULT_S5_SLP_TYP = 5;

    private final int s5SlpTyp;
    private final PowerEvents events;
    private final AtomicLong unsupportedSleepRequests = new AtomicLong();
    private volatile int value = SCI_EN;

    public Pm1Control(int s5SlpTyp, PowerEvents events) {
        if (s5SlpTyp < 0 || s5SlpTyp > 7) {
            throw new IllegalArgumentException("SLP_TYP " + s5SlpTyp + " does not fit the 3-bit field");
        }
        this.s5SlpTyp = s5SlpTyp;
        this.events = events;
    }

    public Pm1Control(PowerEvents events) {
        this(DEFAULT_S5_SLP_TYP, events);
    }

    @Override
    public int read(int offset, int size) {
        // An 8-bit read of the high byte (offset 1) sees bits 15:8.
        return (value | SCI_EN) >>> (8 * offset);
    }

    @Override
    public void write(int offset, int data, int size) {
        if (size == 1 && offset == 0) {
            sleepControl(data & 0xFF);
            return;
        }
        int v = (data << (8 * offset)) & 0xFFFF;
        if (size == 1) {
            int keep = offset == 0 ? 0xFF00 : 0x00FF;
            v |= value & keep;
        }
        value = (v & ~SLP_EN) | SCI_EN;
        if ((v & SLP_EN) != 0) {
            int type = (v & SLP_TYP_MASK) >>> SLP_TYP_SHIFT;
            if (type == s5SlpTyp) {
                events.powerOff(String.format("ACPI PM1a_CNT write 0x%04x (SLP_EN, SLP_TYP %d = S5)", v, type));
            } else {
                unsupportedSleepRequests.incrementAndGet();
            }
        }
    }

    /** An 8-bit SLEEP_CONTROL_REG write; it does not change what PM1_CNT reads. */
    private void sleepControl(int v) {
        if ((v & SLEEP_CONTROL_SLP_EN) == 0) {
            return;
        }
        int type = (v & SLEEP_CONTROL_SLP_TYP_MASK) >>> SLEEP_CONTROL_SLP_TYP_SHIFT;
        if (type == s5SlpTyp) {
            events.powerOff(String.format("ACPI SLEEP_CONTROL_REG write 0x%02x (SLP_EN, SLP_TYP %d = S5)", v, type));
        } else {
            unsupportedSleepRequests.incrementAndGet();
        }
    }

    /** Writes of SLP_EN with a SLP_TYP other than S5's, which were ignored. */
    public long unsupportedSleepRequests() {
        return unsupportedSleepRequests.get();
    }
}
