package dev.linuxvm.engine.kvm;

import com.sun.jna.LastErrorException;
import dev.linuxvm.engine.VmmException;

/** A KVM operation failed; the message names the ioctl or call and the errno. */
public class KvmException extends VmmException {
    public KvmException(String message) {
        super(message);
    }

    public KvmException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "KVM_CREATE_VM failed: errno 12 (ENOMEM ...)" from a JNA call's errno. */
    static KvmException of(String operation, LastErrorException e) {
        return new KvmException(operation + " failed: errno " + e.getErrorCode() + " (" + e.getMessage() + ")", e);
    }
}
