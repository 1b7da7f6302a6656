package dev.linuxvm.engine.acpi.aml;

import dev.linuxvm.engine.VmmException;

/** An AML object that cannot be encoded (bad name, value out of range); the message names the fix. */
public class AmlException extends VmmException {
    public AmlException(String message) {
        super(message);
    }
}
