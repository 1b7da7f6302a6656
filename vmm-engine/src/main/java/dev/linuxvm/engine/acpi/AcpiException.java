package dev.linuxvm.engine.acpi;

import dev.linuxvm.engine.VmmException;

/** An ACPI table that cannot be built from the given parameters; the message names the fix. */
public class AcpiException extends VmmException {
    /** An {@link Kind#INTERNAL} error: the engine chose the table parameters. */
    public AcpiException(String message) {
        super(Kind.INTERNAL, message);
    }

    public AcpiException(String message, Throwable cause) {
        super(Kind.INTERNAL, message, cause);
    }

    public AcpiException(Kind kind, String message) {
        super(kind, message);
    }

    public AcpiException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
