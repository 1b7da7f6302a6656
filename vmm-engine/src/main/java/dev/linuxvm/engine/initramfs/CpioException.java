package dev.linuxvm.engine.initramfs;

import dev.linuxvm.engine.VmmException;

/** A cpio archive could not be written or read; the message names the entry and the reason. */
public class CpioException extends VmmException {
    /** A {@link Kind#BAD_INPUT} error: the archive read or the files to pack were given by the user. */
    public CpioException(String message) {
        super(Kind.BAD_INPUT, message);
    }

    public CpioException(String message, Throwable cause) {
        super(Kind.BAD_INPUT, message, cause);
    }

    public CpioException(Kind kind, String message) {
        super(kind, message);
    }

    public CpioException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
