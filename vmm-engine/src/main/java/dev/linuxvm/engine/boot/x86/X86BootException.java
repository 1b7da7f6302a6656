package dev.linuxvm.engine.boot.x86;

import dev.linuxvm.engine.VmmException;

/** An x86_64 guest cannot be laid out (command line too long, initrd does not fit ...). */
public class X86BootException extends VmmException {
    /** A {@link Kind#BAD_INPUT} error: the kernel, initrd, command line or memory given do not fit. */
    public X86BootException(String message) {
        super(Kind.BAD_INPUT, message);
    }

    public X86BootException(String message, Throwable cause) {
        super(Kind.BAD_INPUT, message, cause);
    }

    public X86BootException(Kind kind, String message) {
        super(kind, message);
    }

    public X86BootException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
