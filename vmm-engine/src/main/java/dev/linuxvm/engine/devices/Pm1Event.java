package dev.linuxvm.engine.devices;

/**
 * The ACPI sleep status register at {@link dev.linuxvm.engine.boot.x86.X86Layout#SLEEP_STATUS_PORT}
 * (FADT SLEEP_STATUS_REG, 8 bits; ACPI 6.5, 4.8.3.7), claimed 4 bytes wide as the PM1a event
 * block (PM1_STS, PM1_EN; 4.8.3.1) it replaced. linuxvm's machine has no wake or fixed-event
 * source, so every read is 0 and writes are accepted and dropped: ACPICA writes WAK_STS (0x80)
 * here just before the S5 write to the sleep control register (see
 * {@link dev.linuxvm.engine.acpi.Fadt#x86}). Claimed rather than left unowned because an unowned
 * port reads all ones, which would claim wake status (and, to a full-ACPI guest, every fixed
 * event) pending.
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
