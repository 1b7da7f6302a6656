package dev.linuxvm.engine.devices;

/**
 * An interrupt output of a device. Devices drive it as a level: {@code true} while an enabled
 * interrupt condition is pending. The backend maps it to the interrupt controller (x86: ISA IRQ
 * through KVM_IRQ_LINE, which turns the 0→1 transition into the edge the 8259/IOAPIC expect;
 * aarch64: a GIC SPI).
 */
@FunctionalInterface
public interface IrqLine {
    void set(boolean level);

    /** A line connected to nothing. */
    IrqLine NONE = level -> { };
}
