package dev.linuxvm.kernels;

import dev.linuxvm.engine.VmmException;

/**
 * The test guests could not be provisioned or verified. The message names the step and the fix
 * (the package to install, the command to run, or the {@code LINUXVM_KERNEL_*} overrides).
 * {@link Kind#HOST_ENVIRONMENT}: apt, the network, the cache directory, a host tool or a
 * {@code LINUXVM_*} variable of this host failed, not anything the test gave.
 */
public class ProvisioningException extends VmmException {
    public ProvisioningException(String message) {
        super(Kind.HOST_ENVIRONMENT, message);
    }

    public ProvisioningException(String message, Throwable cause) {
        super(Kind.HOST_ENVIRONMENT, message, cause);
    }
}
