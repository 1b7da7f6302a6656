package dev.linuxvm.engine.devices;

/**
 * A device on the x86 I/O port bus. {@code offset} is relative to the start of the range the
 * device was registered at; {@code size} is the access width in bytes (1, 2 or 4).
 */
public interface PortIoDevice {
    /** Returns the value read; only the low {@code size} bytes are used. */
    int read(int offset, int size);

    void write(int offset, int data, int size);
}
