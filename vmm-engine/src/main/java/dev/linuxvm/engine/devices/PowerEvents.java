package dev.linuxvm.engine.devices;

/** Where power devices report what the guest asked for; the backend turns it into a VM exit. */
public interface PowerEvents {
    /** The guest requested power off; {@code how} names the register and value. */
    void powerOff(String how);

    /** The guest requested a reset; {@code how} names the register and value. */
    void reset(String how);
}
