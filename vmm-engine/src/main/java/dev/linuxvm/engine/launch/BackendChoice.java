package dev.linuxvm.engine.launch;

/** Which executor runs the guest. */
public enum BackendChoice {
    /** KVM for host-architecture guests when /dev/kvm can run a full boot, else QEMU. */
    AUTO,
    /** Our own KVM backend (fails if it cannot run here). */
    KVM,
    /** The QEMU executor (KVM-accelerated when usable, else TCG). */
    QEMU
}
