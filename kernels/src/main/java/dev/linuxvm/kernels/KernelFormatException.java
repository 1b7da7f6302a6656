package dev.linuxvm.kernels;

/**
 * A kernel file is not in a format the extractor can turn into a bootable vmlinux / Image. A
 * provisioning failure ({@link Kind#HOST_ENVIRONMENT}): the extractor reads only the kernels
 * provisioning fetched or a {@code LINUXVM_KERNEL_*} override of this host.
 */
public class KernelFormatException extends ProvisioningException {
    public KernelFormatException(String message) {
        super(message);
    }
}
