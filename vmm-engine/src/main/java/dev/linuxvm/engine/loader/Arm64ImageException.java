package dev.linuxvm.engine.loader;

import dev.linuxvm.engine.VmmException;

/** An arm64 kernel Image could not be used; the message names the file, the problem and the fix. */
public class Arm64ImageException extends VmmException {
    /** A {@link Kind#BAD_INPUT} error: the Image is the user's. */
    public Arm64ImageException(String message) {
        super(Kind.BAD_INPUT, message);
    }

    public Arm64ImageException(String message, Throwable cause) {
        super(Kind.BAD_INPUT, message, cause);
    }

    public Arm64ImageException(Kind kind, String message) {
        super(kind, message);
    }

    public Arm64ImageException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
