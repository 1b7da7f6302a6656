package dev.linuxvm.engine.fdt;

import dev.linuxvm.engine.VmmException;

/** A device tree could not be written (builder misuse) or read (malformed blob). */
public class FdtException extends VmmException {
    public FdtException(String message) {
        super(message);
    }
}
