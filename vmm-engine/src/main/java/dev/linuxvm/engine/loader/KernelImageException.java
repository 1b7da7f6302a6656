package dev.linuxvm.engine.loader;

import dev.linuxvm.engine.VmmException;

/** A kernel image cannot be loaded: wrong format, wrong machine, truncated, or does not fit. */
public class KernelImageException extends VmmException {
    public KernelImageException(String message) {
        super(message);
    }

    public KernelImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
