package dev.linuxvm.engine.devices;

/**
 * A device in guest physical address space. {@code offset} is relative to the device's base;
 * {@code size} is the access width in bytes (1, 2, 4 or 8).
 */
public interface MmioDevice {
    /** Returns the value read; only the low {@code size} bytes are used. */
    long read(long offset, int size);

    void write(long offset, long data, int size);
}
