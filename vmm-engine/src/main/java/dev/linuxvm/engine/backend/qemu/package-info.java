/**
 * The QEMU executor: a {@link dev.linuxvm.engine.backend.Backend} that runs the engine's
 * {@link dev.linuxvm.engine.GuestImage} on {@code qemu-system-x86_64} / {@code qemu-system-aarch64}
 * with TCG (or KVM where {@link dev.linuxvm.engine.backend.qemu.QemuHost#kvm} says it is usable).
 *
 * <p>QEMU supplies only the CPU and the devices at the platform's addresses; every byte the guest
 * sees comes from the image: regions through {@code -device loader,…,force-raw=on}, no
 * {@code -kernel}, no {@code -dtb}, no QEMU-built ACPI or DT.
 * <ul>
 *   <li>aarch64: {@code -M virt,gic-version=3,acpi=off -cpu cortex-a57}; the boot CPU starts at a
 *       40-byte {@link dev.linuxvm.engine.backend.qemu.Arm64Trampoline} (x0 = DTB, x1..x3 = 0,
 *       branch to the Image) placed at or above RAM + 1 MiB, where QEMU's own DTB cannot be.</li>
 *   <li>x86_64: {@code -M microvm,acpi=off,…} with a per-guest 64 KiB
 *       {@link dev.linuxvm.engine.backend.qemu.X86ResetRom} as {@code -bios}: reset vector →
 *       long mode on the engine's GDT and page tables → kernel entry with RSI = zero page. Measured
 *       with Debian's 6.1 kernel and a hand-made zero page: the kernel finds no RSDP, no MP table
 *       and no DMI of QEMU's ("A valid RSDP was not found", "ACPI MADT or MP tables are not
 *       detected"), so the engine's RSDP at 0xE0000 is the only one it can use. microvm has no
 *       0xCF9 reset register and no i8042 (measured: writes to either do nothing): the kernel's
 *       reboot falls through to the reset vector, where the ROM's re-entry guard triple-faults,
 *       and QEMU reports a guest reset.</li>
 *   <li>The serial port and QMP each on two FIFOs (QEMU's {@code pipe} chardev) in a private
 *       work directory; QEMU starts paused ({@code -S}) and runs after both are open. Exits are told apart by QMP's
 *       {@code SHUTDOWN} reason and, for the x86 PM1a_CNT write, by the {@code isa-debug-exit}
 *       status (see {@link dev.linuxvm.engine.backend.qemu.QemuVm}).</li>
 *   <li>Snapshots: a template's RAM is a shared file under /dev/shm; QEMU's migration with
 *       {@code x-ignore-shared} saves the rest; clones map the file copy-on-write and load the
 *       state with {@code -incoming defer} (see
 *       {@link dev.linuxvm.engine.backend.qemu.QemuSnapshot}).</li>
 * </ul>
 */
package dev.linuxvm.engine.backend.qemu;
