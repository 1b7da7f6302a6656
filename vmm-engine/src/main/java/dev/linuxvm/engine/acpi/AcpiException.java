package dev.linuxvm.engine.acpi;

import dev.linuxvm.engine.VmmException;

/** An ACPI table that cannot be built from the given parameters; the message names the fix. */
public class AcpiException extends VmmException {
    public AcpiException(String message) {
        super(message);
    }
}
