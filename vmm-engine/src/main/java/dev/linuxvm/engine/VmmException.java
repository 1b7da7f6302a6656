package dev.linuxvm.engine;

/**
 * Base of the engine's exception family. Every message names the operation that failed, the
 * reason, and where possible the fix ("kernel image is gzip-compressed: pass the uncompressed
 * Image").
 */
public class VmmException extends RuntimeException {
    public VmmException(String message) {
        super(message);
    }

    public VmmException(String message, Throwable cause) {
        super(message, cause);
    }
}
