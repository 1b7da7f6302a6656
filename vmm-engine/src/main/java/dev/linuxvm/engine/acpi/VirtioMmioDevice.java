package dev.linuxvm.engine.acpi;

import dev.linuxvm.engine.DataPort;
import dev.linuxvm.engine.acpi.aml.Device;
import dev.linuxvm.engine.acpi.aml.ExtendedInterrupt;
import dev.linuxvm.engine.acpi.aml.Memory32Fixed;
import dev.linuxvm.engine.acpi.aml.Name;
import dev.linuxvm.engine.acpi.aml.ResourceTemplate;

/**
 * A virtio-mmio transport in a DSDT, as QEMU's own tables describe one ({@code acpi_dsdt_add_virtio}
 * in hw/arm/virt-acpi-build.c and hw/i386/acpi-microvm.c): {@code _HID "LNRO0005"} (the id
 * drivers/virtio/virtio_mmio.c matches), the register window, and a level-triggered,
 * active-high interrupt (the transport holds its line while InterruptStatus is non-zero,
 * virtio 1.2 §4.2.2.1).
 */
final class VirtioMmioDevice {
    /** The ACPI id Linux's virtio_mmio driver binds to. */
    static final String HID = "LNRO0005";

    private VirtioMmioDevice() {
    }

    static Device of(String name, DataPort port) {
        return Device.of(name,
                Name.of("_HID", HID),
                Name.of("_UID", port.transport()),
                Name.of("_STA", 0x0F), // present, enabled, shown in UI, functioning
                Name.of("_CRS", ResourceTemplate.of(
                        new Memory32Fixed(true, port.base(), port.size()),
                        ExtendedInterrupt.levelHigh(port.gsi()))));
    }
}
