/**
 * linuxvm's emulated devices as pure register machines: no host access, no threads of their
 * own, and no addresses: where each sits is {@link dev.linuxvm.engine.boot.x86.X86Layout}'s or
 * {@link dev.linuxvm.engine.boot.arm64.Arm64Layout}'s (the i8042's PC/AT ports excepted). A backend connects them to a bus ({@link dev.linuxvm.engine.devices.IoPortBus},
 * {@link dev.linuxvm.engine.devices.MmioBus}), an {@link dev.linuxvm.engine.devices.IrqLine}
 * and {@link dev.linuxvm.engine.devices.PowerEvents}.
 *
 * <ul>
 *   <li>{@link dev.linuxvm.engine.devices.Uart16550}: COM1 on x86_64;
 *       {@link dev.linuxvm.engine.devices.Pl011}: the aarch64 console.</li>
 *   <li>{@link dev.linuxvm.engine.devices.Pm1Control}: ACPI S5 power off (only the
 *       configured \_S5 SLP_TYP powers off); {@link dev.linuxvm.engine.devices.ResetControl}
 *       and {@link dev.linuxvm.engine.devices.I8042} (0x64, command 0xFE): reset.</li>
 *   <li>Unowned ports read all ones and unowned MMIO reads zero; both are counted, never fatal.</li>
 * </ul>
 */
package dev.linuxvm.engine.devices;
