package dev.linuxvm.junit;

import dev.linuxvm.engine.Arch;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** The architecture attribute of {@link LinuxVm}: an {@link Arch}, or the host's. */
public enum GuestArch {
    /** The JVM host's architecture. */
    HOST,
    X86_64,
    AARCH64;

    /** The concrete architecture; {@link #HOST} resolves through {@link Arch#host()}. */
    public Arch resolve() {
        switch (this) {
            case X86_64: return Arch.X86_64;
            case AARCH64: return Arch.AARCH64;
            default:
                Arch host = Arch.host();
                if (host == null) {
                    throw new ExtensionConfigurationException("@LinuxVm(arch = HOST): the host architecture '"
                            + System.getProperty("os.arch") + "' is neither x86_64 nor aarch64: name the guest arch explicitly");
                }
                return host;
        }
    }
}
