package dev.linuxvm.junit;

import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.launch.BackendChoice;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.launcher.GuestFile;
import dev.linuxvm.launcher.GuestModules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * What one test asks for, resolved from {@link LinuxVm} and the matrix entry; the input of a
 * {@link GuestLauncher}. Empty kernel/initrd mean "the provisioned one for {@code arch}" (the kernel:
 * {@code provisioned}, Debian's or the KUnit kernel); an empty
 * {@code cmdline} means "the default for the arch and the executor chosen"
 * ({@link dev.linuxvm.engine.launch.DefaultCmdline#forArch}), resolved by the launcher after
 * backend selection; {@link LaunchedGuest#cmdline()} is the one actually used. {@code files} and
 * {@code modules} (from {@link dev.linuxvm.junit.GuestFile} and {@link dev.linuxvm.junit.GuestModules})
 * have host paths made absolute and have been checked. {@code dataPort}: {@link LinuxVm#dataPort()}.
 */
public record VmSpec(Arch arch, BootMode mode, Optional<Path> kernel, ProvisionedKernel provisioned, Optional<Path> initrd,
                     String cmdline, int memoryMib, int cpus, BackendChoice backend, Duration bootTimeout,
                     List<GuestFile> files, List<GuestModules> modules, boolean dataPort) {

    public VmSpec {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(provisioned, "provisioned");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(cmdline, "cmdline");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(bootTimeout, "bootTimeout");
        files = List.copyOf(files);
        modules = List.copyOf(modules);
        if (mode == BootMode.DEVICE_TREE && arch == Arch.X86_64) {
            throw new ExtensionConfigurationException(
                    "boot mode DEVICE_TREE is not supported on x86_64: use mode = ACPI, or arch = AARCH64");
        }
        if (kernel.isPresent() && provisioned != ProvisionedKernel.DEBIAN) {
            throw new ExtensionConfigurationException("@LinuxVm(kernel = \"" + kernel.get() + "\", provisioned = "
                    + provisioned + "): name a kernel file or a provisioned kernel, not both");
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

    /** A spec without guest files or modules. */
    public VmSpec(Arch arch, BootMode mode, Optional<Path> kernel, ProvisionedKernel provisioned, Optional<Path> initrd,
                  String cmdline, int memoryMib, int cpus, BackendChoice backend, Duration bootTimeout) {
        this(arch, mode, kernel, provisioned, initrd, cmdline, memoryMib, cpus, backend, bootTimeout, List.of(), List.of(), false);
    }

    /** A spec without the data port. */
    public VmSpec(Arch arch, BootMode mode, Optional<Path> kernel, ProvisionedKernel provisioned, Optional<Path> initrd,
                  String cmdline, int memoryMib, int cpus, BackendChoice backend, Duration bootTimeout,
                  List<GuestFile> files, List<GuestModules> modules) {
        this(arch, mode, kernel, provisioned, initrd, cmdline, memoryMib, cpus, backend, bootTimeout, files, modules, false);
    }

    /** Whether the launcher picks the command line ({@link LinuxVm#cmdline()} was empty). */
    public boolean defaultCmdline() {
        return cmdline.isEmpty();
    }

    /** "[aarch64, acpi]": the matrix display name of this spec. */
    public String matrixName() {
        return "[" + arch + ", " + mode.displayName() + "]";
    }
}
