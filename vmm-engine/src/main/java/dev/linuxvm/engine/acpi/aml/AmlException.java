package dev.linuxvm.engine.acpi.aml;

import dev.linuxvm.engine.VmmException;

/** An AML object that cannot be encoded (bad name, value out of range); the message names the fix. */
public class AmlException extends VmmException {
    /** An {@link Kind#INTERNAL} error: the engine wrote the AML. */
    public AmlException(String message) {
        super(Kind.INTERNAL, message);
    }

    public AmlException(String message, Throwable cause) {
        super(Kind.INTERNAL, message, cause);
    }

    public AmlException(Kind kind, String message) {
        super(kind, message);
    }

    public AmlException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
