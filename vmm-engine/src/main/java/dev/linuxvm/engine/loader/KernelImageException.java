package dev.linuxvm.engine.loader;

import dev.linuxvm.engine.VmmException;

/** A kernel image cannot be loaded: wrong format, wrong machine, truncated, or does not fit. */
public class KernelImageException extends VmmException {
    /** A {@link Kind#BAD_INPUT} error: the kernel file is the user's. */
    public KernelImageException(String message) {
        super(Kind.BAD_INPUT, message);
    }

    public KernelImageException(String message, Throwable cause) {
        super(Kind.BAD_INPUT, message, cause);
    }

    public KernelImageException(Kind kind, String message) {
        super(kind, message);
    }

    public KernelImageException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
