package dev.linuxvm.engine.boot.arm64;

import dev.linuxvm.engine.VmmException;

/** The arm64 guest could not be laid out (RAM too small, too many CPUs, command line too long...). */
public class Arm64BootException extends VmmException {
    /** A {@link Kind#BAD_INPUT} error: the kernel, initrd, command line, memory or CPUs given do not fit. */
    public Arm64BootException(String message) {
        super(Kind.BAD_INPUT, message);
    }

    public Arm64BootException(String message, Throwable cause) {
        super(Kind.BAD_INPUT, message, cause);
    }

    public Arm64BootException(Kind kind, String message) {
        super(kind, message);
    }

    public Arm64BootException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
