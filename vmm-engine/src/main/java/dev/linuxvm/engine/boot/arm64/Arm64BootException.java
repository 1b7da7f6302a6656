package dev.linuxvm.engine.boot.arm64;

import dev.linuxvm.engine.VmmException;

/** The arm64 guest could not be laid out (RAM too small, too many CPUs, command line too long...). */
public class Arm64BootException extends VmmException {
    public Arm64BootException(String message) {
        super(message);
    }
}
