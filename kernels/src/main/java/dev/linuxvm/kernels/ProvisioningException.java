package dev.linuxvm.kernels;

import dev.linuxvm.engine.VmmException;

/**
 * The test guests could not be provisioned or verified. The message names the step and the fix
 * (the package to install, the command to run, or the {@code LINUXVM_KERNEL_*} overrides).
 */
public class ProvisioningException extends VmmException {
    public ProvisioningException(String message) {
        super(message);
    }

    public ProvisioningException(String message, Throwable cause) {
        super(message, cause);
    }
}
