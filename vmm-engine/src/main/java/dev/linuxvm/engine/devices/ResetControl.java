package dev.linuxvm.engine.devices;

/**
 * The PCI/PIIX reset control register at I/O 0xCF9 (Intel PIIX4/ICH "Reset Control Register",
 * RC), which linuxvm's FADT names as RESET_REG with RESET_VALUE 0x06. Writing a value with
 * RST_CPU set (0x06 soft, 0x0E hard reset) resets the machine. Other bits are kept and read
 * back.
 */
public final class ResetControl implements PortIoDevice {
    /** I/O port of the reset control register. */
    public static final int PORT = 0xCF9;
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
            events.reset(String.format("reset control register 0xCF9 write 0x%02x", v));
        }
    }
}
