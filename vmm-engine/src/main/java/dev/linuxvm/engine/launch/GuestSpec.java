package dev.linuxvm.engine.launch;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.VmmException;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to boot: everything {@link GuestFactory} needs to build a {@link dev.linuxvm.engine.GuestImage}.
 *
 * @param arch     guest architecture
 * @param mode     ACPI (default) or DEVICE_TREE (aarch64 only)
 * @param kernel   uncompressed kernel: ELF vmlinux (x86_64) or Image (aarch64)
 * @param initrd   initramfs bytes (one or more concatenated cpio archives), or {@code null}
 * @param cmdline  kernel command line
 * @param memoryMib guest RAM in MiB
 * @param cpus     vCPUs
 * @param dataPort whether the guest gets the platform's data port ({@link dev.linuxvm.engine.DataPort})
 */
public record GuestSpec(Arch arch, BootMode mode, Path kernel, byte[] initrd, String cmdline, int memoryMib, int cpus,
                        boolean dataPort) {
    /** Smallest guest RAM that boots Linux with an initramfs. */
    public static final int MIN_MEMORY_MIB = 64;
    /**
     * Largest guest RAM: what every executor (KVM and QEMU, x86_64 and aarch64) is proven to run,
     * by booting to {@code /proc/meminfo} (vmm-engine/README.md, "Guest RAM sizes").
     */
    public static final int MAX_MEMORY_MIB = 16 << 10;

    public GuestSpec {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(cmdline, "cmdline");
        if (arch == Arch.X86_64 && mode == BootMode.DEVICE_TREE) {
            throw new VmmException(VmmException.Kind.BAD_INPUT, "device-tree boot is not supported on x86_64: x86 guests boot with ACPI tables;"
                    + " drop --device-tree (or BootMode.DEVICE_TREE), or boot an aarch64 guest");
        }
        if (memoryMib < MIN_MEMORY_MIB) {
            throw new VmmException(VmmException.Kind.BAD_INPUT, "guest memory " + memoryMib + " MiB is too small: give the guest at least "
                    + MIN_MEMORY_MIB + " MiB");
        }
        if (memoryMib > MAX_MEMORY_MIB) {
            throw new VmmException(VmmException.Kind.BAD_INPUT, "guest memory " + memoryMib + " MiB is more than the " + MAX_MEMORY_MIB
                    + " MiB (16 GiB) linuxvm runs on every executor: give the guest at most " + MAX_MEMORY_MIB + " MiB");
        }
        if (cpus < 1) {
            throw new VmmException(VmmException.Kind.BAD_INPUT, cpus + " vCPUs: a guest needs at least one");
        }
    }

    /** A guest without a data port. */
    public GuestSpec(Arch arch, BootMode mode, Path kernel, byte[] initrd, String cmdline, int memoryMib, int cpus) {
        this(arch, mode, kernel, initrd, cmdline, memoryMib, cpus, false);
    }

    public long memoryBytes() {
        return (long) memoryMib << 20;
    }
}
