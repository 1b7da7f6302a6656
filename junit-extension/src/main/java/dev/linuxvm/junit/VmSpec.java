package dev.linuxvm.junit;

import dev.linuxvm.engine.Arch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * What one test asks for, resolved from {@link LinuxVm} and the matrix entry; the input of a
 * {@link GuestLauncher}. Empty kernel/initrd mean "the provisioned default for {@code arch}".
 */
public record VmSpec(Arch arch, BootMode mode, Optional<Path> kernel, Optional<Path> initrd, String cmdline,
                     int memoryMib, int cpus, BackendChoice backend, Duration bootTimeout) {

    /** The line the provisioned initramfs prints once /init has started the shell. */
    public static final String READY_MARKER = "linuxvm: userspace ready";

    public VmSpec {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(cmdline, "cmdline");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(bootTimeout, "bootTimeout");
        if (mode == BootMode.DEVICE_TREE && arch == Arch.X86_64) {
            throw new ExtensionConfigurationException(
                    "boot mode DEVICE_TREE is not supported on x86_64: use mode = ACPI, or arch = AARCH64");
        }
        if (memoryMib < 64) {
            throw new ExtensionConfigurationException("memory = " + memoryMib + " MiB is too small to boot Linux: use at least 64");
        }
        if (cpus < 1) {
            throw new ExtensionConfigurationException("cpus = " + cpus + ": a guest needs at least 1 vCPU");
        }
        if (bootTimeout.isNegative() || bootTimeout.isZero()) {
            throw new ExtensionConfigurationException("bootTimeout must be positive, was " + bootTimeout);
        }
    }

    /**
     * The command line used when {@link LinuxVm#cmdline()} is empty: the arch's boot console,
     * early console output, and {@code panic=-1} so a panic ends the guest instead of hanging it.
     */
    public static String defaultCmdline(Arch arch) {
        switch (arch) {
            // COM1 (0x3F8) is the only UART the x86_64 tables describe.
            case X86_64: return "console=ttyS0 earlyprintk=ttyS0 panic=-1 reboot=t";
            // PL011 at 0x0900_0000; earlycon finds it through SPCR (ACPI) or stdout-path (DT).
            case AARCH64: return "console=ttyAMA0 earlycon panic=-1";
            default: throw new IllegalArgumentException(arch.toString());
        }
    }

    /** "[aarch64, acpi]": the matrix display name of this spec. */
    public String matrixName() {
        return "[" + arch + ", " + mode.displayName() + "]";
    }
}
