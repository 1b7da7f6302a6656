package dev.linuxvm.engine.devices;

/**
 * The ACPI PM1a event block (ACPI 6.5, 4.8.3.1 "PM1 Event Grouping"): PM1_STS (2 bytes) then
 * PM1_EN (2 bytes), PM1_EVT_LEN = 4. linuxvm's machine has no fixed-event source (no power or
 * sleep button, no RTC alarm, no PM timer), so no status bit is ever set and no enable bit has
 * an effect: every read is 0 and writes (status clears, enables) are accepted and dropped. The
 * block must exist and read 0 all the same: ACPICA clears PM1_STS before S5 (see
 * {@link dev.linuxvm.engine.acpi.Fadt#x86}), and an unowned port reads all ones, which would
 * claim every fixed event pending, wake status included.
 */
public final class Pm1Event implements PortIoDevice {
    /** PM1_EVT_LEN: PM1_STS and PM1_EN, two bytes each. */
    public static final int LENGTH = 4;

    @Override
    public int read(int offset, int size) {
        return 0;
    }

    @Override
    public void write(int offset, int data, int size) {
        // Nothing to clear, nothing to enable.
    }
}
