package dev.linuxvm.junit;

/** Which executor runs the guest. */
public enum BackendChoice {
    /** KVM when it can run a full boot of the guest's arch on this host, else QEMU. */
    AUTO,
    /** Only KVM; the test is skipped when KVM cannot run the guest here. */
    KVM,
    /** Only the QEMU executor (TCG, or KVM acceleration when usable). */
    QEMU
}
