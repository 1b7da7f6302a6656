package dev.linuxvm.engine.loader;

import dev.linuxvm.engine.VmmException;

/** An arm64 kernel Image could not be used; the message names the file, the problem and the fix. */
public class Arm64ImageException extends VmmException {
    public Arm64ImageException(String message) {
        super(message);
    }

    public Arm64ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
