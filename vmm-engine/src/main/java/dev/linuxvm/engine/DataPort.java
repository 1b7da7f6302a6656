package dev.linuxvm.engine;

import dev.linuxvm.engine.boot.arm64.Arm64Layout;
import dev.linuxvm.engine.boot.x86.X86Layout;

/**
 * The guest's data port: a virtio-console device (virtio 1.2 §5.3, device ID 3) behind one
 * virtio-mmio transport (§4.2.2), for bulk bytes beside the serial console. The guest finds it
 * in the firmware tables (ACPI {@code LNRO0005}, DT {@code virtio,mmio}; the Debian cloud
 * kernels have no {@code virtio_mmio.device=} command-line parsing,
 * CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES unset) and binds it once {@link #MODULES} are loaded.
 *
 * @param base      transport MMIO base
 * @param size      transport register window
 * @param gsi       interrupt as ACPI numbers it: IOAPIC GSI (x86), GIC INTID (arm64)
 * @param transport index of the transport among the machine's virtio-mmio slots (QEMU's
 *                  {@code virtio-mmio-bus.<n>})
 */
public record DataPort(long base, long size, int gsi, int transport) {
    /**
     * Modules the guest loads, in insmod order (their {@code depends=} modinfo: virtio needs
     * virtio_ring; virtio_mmio and virtio_console need both). All four are {@code =m} in
     * Debian's 6.1 cloud kernels, on both arches.
     */
    public static final java.util.List<String> MODULES = java.util.List.of(
            "kernel/drivers/virtio/virtio_ring.ko",
            "kernel/drivers/virtio/virtio.ko",
            "kernel/drivers/virtio/virtio_mmio.ko",
            "kernel/drivers/char/virtio_console.ko");

    /** The port's name, which the guest reads from {@code /sys/class/virtio-ports/vport0p1/name}. */
    public static final String NAME = "dev.linuxvm.data";

    /** The guest's character device for the port: device 0, port 1 (port 0 is the virtconsole slot). */
    public static final String GUEST_DEVICE = "/dev/vport0p1";

    /** The platform's data port, from the arch's layout. */
    public static DataPort of(Arch arch) {
        return switch (arch) {
            case X86_64 -> new DataPort(X86Layout.DATA_PORT_START, X86Layout.VIRTIO_MMIO_SLOT_SIZE,
                    X86Layout.DATA_PORT_GSI, X86Layout.DATA_PORT_TRANSPORT);
            case AARCH64 -> new DataPort(Arm64Layout.DATA_PORT_BASE, Arm64Layout.VIRTIO_MMIO_SLOT_SIZE,
                    Arm64Layout.DATA_PORT_INTID, Arm64Layout.DATA_PORT_TRANSPORT);
        };
    }
}
