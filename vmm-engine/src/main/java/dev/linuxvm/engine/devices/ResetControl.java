package dev.linuxvm.engine.devices;

import dev.linuxvm.engine.boot.x86.X86Layout;

/**
 * The PCI/PIIX reset control register (Intel PIIX4/ICH "Reset Control Register", RC), at
 * {@link X86Layout#RESET_PORT} on linuxvm's x86_64 machine, which its FADT names as RESET_REG with RESET_VALUE 0x06. Writing a value with
 * RST_CPU set (0x06 soft, 0x0E hard reset) resets the machine. Other bits are kept and read
 * back.
 */
public final class ResetControl implements PortIoDevice {
    /** SYS_RST, bit 1: the kind of reset (hard when set). */
    public static final int SYS_RST = 0x02;
    /** RST_CPU, bit 2: performs the reset. */
    public static final int RST_CPU = 0x04;
    /** FULL_RST, bit 3: power-cycle during a hard reset. */
    public static final int FULL_RST = 0x08;

    private final PowerEvents events;
    private volatile int value;

    public ResetControl(PowerEvents events) {
        this.events = events;
    }

    @Override
    public int read(int offset, int size) {
        return value;
    }

    @Override
    public void write(int offset, int data, int size) {
        int v = data & 0xFF;
        value = v & ~RST_CPU;
        if ((v & RST_CPU) != 0) {
            events.reset(String.format("reset control register 0x%X write 0x%02x", X86Layout.RESET_PORT, v));
        }
    }
}
