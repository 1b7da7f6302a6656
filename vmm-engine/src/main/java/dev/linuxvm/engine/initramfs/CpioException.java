package dev.linuxvm.engine.initramfs;

import dev.linuxvm.engine.VmmException;

/** A cpio archive could not be written or read; the message names the entry and the reason. */
public class CpioException extends VmmException {
    public CpioException(String message) {
        super(message);
    }

    public CpioException(String message, Throwable cause) {
        super(message, cause);
    }
}
