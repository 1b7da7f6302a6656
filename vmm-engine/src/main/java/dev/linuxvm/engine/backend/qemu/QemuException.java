package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.VmmException;

/** The QEMU executor could not start or drive {@code qemu-system-*}; the message names the fix. */
public class QemuException extends VmmException {
    /** A {@link Kind#HOST_ENVIRONMENT} error: QEMU is missing, would not start, or failed. */
    public QemuException(String message) {
        super(Kind.HOST_ENVIRONMENT, message);
    }

    public QemuException(String message, Throwable cause) {
        super(Kind.HOST_ENVIRONMENT, message, cause);
    }

    public QemuException(Kind kind, String message) {
        super(kind, message);
    }

    public QemuException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
