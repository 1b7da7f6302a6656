package dev.linuxvm.engine.efi;

import dev.linuxvm.engine.VmmException;

/** An EFI structure could not be built from the values given. */
public class EfiException extends VmmException {
    /** An {@link Kind#INTERNAL} error: the engine chose the EFI values. */
    public EfiException(String message) {
        super(Kind.INTERNAL, message);
    }

    public EfiException(String message, Throwable cause) {
        super(Kind.INTERNAL, message, cause);
    }

    public EfiException(Kind kind, String message) {
        super(kind, message);
    }

    public EfiException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
