package dev.linuxvm.engine.kvm;

import com.sun.jna.LastErrorException;
import dev.linuxvm.engine.VmmException;

/** A KVM operation failed; the message names the ioctl or call and the errno. */
public class KvmException extends VmmException {
    /** A {@link Kind#HOST_ENVIRONMENT} error: /dev/kvm refused or lacks something. */
    public KvmException(String message) {
        super(Kind.HOST_ENVIRONMENT, message);
    }

    public KvmException(String message, Throwable cause) {
        super(Kind.HOST_ENVIRONMENT, message, cause);
    }

    public KvmException(Kind kind, String message) {
        super(kind, message);
    }

    public KvmException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    /** "KVM_CREATE_VM failed: errno 12 (ENOMEM ...)" from a JNA call's errno; the host's problem. */
    static KvmException of(String operation, LastErrorException e) {
        return new KvmException(operation + " failed: errno " + e.getErrorCode() + " (" + e.getMessage() + ")", e);
    }
}
