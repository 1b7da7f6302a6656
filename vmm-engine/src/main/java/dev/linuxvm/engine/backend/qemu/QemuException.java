package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.VmmException;

/** The QEMU executor could not start or drive {@code qemu-system-*}; the message names the fix. */
public class QemuException extends VmmException {
    public QemuException(String message) {
        super(message);
    }

    public QemuException(String message, Throwable cause) {
        super(message, cause);
    }
}
