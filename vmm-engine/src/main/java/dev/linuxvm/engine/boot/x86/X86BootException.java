package dev.linuxvm.engine.boot.x86;

import dev.linuxvm.engine.VmmException;

/** An x86_64 guest cannot be laid out (command line too long, initrd does not fit ...). */
public class X86BootException extends VmmException {
    public X86BootException(String message) {
        super(message);
    }
}
