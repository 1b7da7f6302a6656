package dev.linuxvm.kernels;

/** A kernel file is not in a format the extractor can turn into a bootable vmlinux / Image. */
public class KernelFormatException extends ProvisioningException {
    public KernelFormatException(String message) {
        super(message);
    }
}
