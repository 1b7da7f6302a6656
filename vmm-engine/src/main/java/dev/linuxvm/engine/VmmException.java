package dev.linuxvm.engine;

import java.util.Objects;

/**
 * Base of the engine's exception family. Every message names the operation that failed, the
 * reason, and where possible the fix ("kernel image is gzip-compressed: pass the uncompressed
 * Image"); every exception carries a {@link Kind} saying whose problem it is, set where it is
 * thrown, so that the CLI can choose its exit status and the JUnit extension between failing and
 * skipping without reading messages.
 */
public class VmmException extends RuntimeException {
    /** Whose problem an error is. */
    public enum Kind {
        /** What the user gave is wrong: a kernel file, an initrd, the command line, the configuration. */
        BAD_INPUT,
        /**
         * This host lacks what the guest needs or failed to provide it: no QEMU, no usable
         * /dev/kvm, provisioning (apt, network, cache directory) failed, QEMU would not start.
         */
        HOST_ENVIRONMENT,
        /** The guest itself failed: it crashed, panicked, or KVM could not run its instructions. */
        GUEST_FAILURE,
        /** A bug in linuxvm: an invariant of the engine did not hold. */
        INTERNAL
    }

    private final Kind kind;

    public VmmException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public VmmException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /**
     * An error whose thrower names no kind: {@link Kind#BAD_INPUT}, which is what every engine
     * error meant before kinds existed. Subclasses whose errors are of another kind pass it.
     */
    public VmmException(String message) {
        this(Kind.BAD_INPUT, message);
    }

    /** {@link #VmmException(String)} with a cause. */
    public VmmException(String message, Throwable cause) {
        this(Kind.BAD_INPUT, message, cause);
    }

    public Kind kind() {
        return kind;
    }
}
