package dev.linuxvm.engine.efi;

import dev.linuxvm.engine.VmmException;

/** An EFI structure could not be built from the values given. */
public class EfiException extends VmmException {
    public EfiException(String message) {
        super(message);
    }
}
