package dev.linuxvm.engine.devices;

/**
 * Just enough of the 8042 keyboard controller for the reset path (IBM PC/AT Technical
 * Reference, keyboard controller commands): Linux's {@code reboot=k} polls the status port
 * until the input buffer is empty, then writes command 0xFE (pulse the reset line) to port
 * 0x64. No keyboard, no data: the status reads 0 (output and input buffers empty) and the data
 * port reads 0. Register {@link #dataPort()} at 0x60 and {@link #commandPort()} at 0x64
 * (0x61, between them, belongs to the in-kernel PIT's speaker port).
 *
 * <p>These two ports are the device's own: the PC/AT fixes them, no table describes them (the
 * FADT even says there is no 8042) and the kernel's {@code reboot=k} writes 0x64 unasked, so
 * unlike the ports {@link dev.linuxvm.engine.boot.x86.X86Layout} chooses they live here.
 */
public final class I8042 {
    /** Data port. */
    public static final int DATA_PORT = 0x60;
    /** Status (read) / command (write) port. */
    public static final int COMMAND_PORT = 0x64;
    /** Command: pulse output port bit 0, the CPU reset line. */
    public static final int CMD_RESET = 0xFE;
    /** Status bit 0: output buffer full. */
    public static final int STATUS_OBF = 0x01;
    /** Status bit 1: input buffer full. */
    public static final int STATUS_IBF = 0x02;

    private final PowerEvents events;

    public I8042(PowerEvents events) {
        this.events = events;
    }

    public PortIoDevice dataPort() {
        return new PortIoDevice() {
            @Override
            public int read(int offset, int size) {
                return 0;
            }

            @Override
            public void write(int offset, int data, int size) {
            }
        };
    }

    public PortIoDevice commandPort() {
        return new PortIoDevice() {
            @Override
            public int read(int offset, int size) {
                return 0; // neither STATUS_OBF nor STATUS_IBF: the controller is idle
            }

            @Override
            public void write(int offset, int data, int size) {
                if ((data & 0xFF) == CMD_RESET) {
                    events.reset("i8042 command 0xFE (pulse reset line) on port 0x64");
                }
            }
        };
    }
}
