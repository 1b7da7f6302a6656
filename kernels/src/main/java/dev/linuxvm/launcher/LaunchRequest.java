package dev.linuxvm.launcher;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.launch.BackendChoice;
import dev.linuxvm.engine.launch.BootMode;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to launch, as the CLI's flags or a test's {@code @LinuxVm} say it; what is left empty is
 * resolved by {@link Launcher#prepare}. Immutable: each {@code with...} returns a copy.
 *
 * @param arch          guest architecture
 * @param mode          ACPI (default) or DEVICE_TREE (aarch64 only)
 * @param kernel        the kernel: a file, the provisioned test kernel, or the provisioned KUnit kernel ({@link Kernel})
 * @param initrd        the initramfs: a file, the provisioned one, or none ({@link Initrd})
 * @param cmdline       the kernel command line; empty: {@code DefaultCmdline} for the arch and executor
 * @param exec          a shell command for the guest to run and power off after (an overlay
 *                      initramfs with {@code /linuxvm/exec}); empty: none
 * @param memoryMib     guest RAM in MiB
 * @param cpus          vCPUs
 * @param backend       executor choice
 * @param files         host files and directories to place in the guest before boot (an overlay
 *                      initramfs, {@link GuestFilesOverlay}); empty: none
 * @param modules       host directories of kernel modules for {@code /lib/modules/<release>/}
 * @param dataPort      give the guest the data port ({@link dev.linuxvm.engine.DataPort}): described in its
 *                      tables, attached by the executor, its modules provisioned into the initramfs
 */
public record LaunchRequest(Arch arch, BootMode mode, Kernel kernel, Initrd initrd, Optional<String> cmdline,
                            Optional<String> exec, int memoryMib, int cpus, BackendChoice backend,
                            List<GuestFile> files, List<GuestModules> modules, boolean dataPort) {

    /** Where the kernel comes from. */
    public sealed interface Kernel {
        /** This file (an ELF vmlinux or an arm64 Image). */
        record File(Path path) implements Kernel {
            public File {
                Objects.requireNonNull(path, "path");
            }
        }

        /** The provisioned test kernel for the arch (Debian's cloud kernel, {@link dev.linuxvm.kernels.TestKernels}). */
        record Provisioned() implements Kernel {
        }

        /**
         * The KUnit kernel for the arch ({@link dev.linuxvm.kernels.KunitKernels}): its suites print
         * KTAP while it boots. Built from Debian's Linux source when not cached (minutes).
         */
        record Kunit() implements Kernel {
        }
    }

    /** Where the initramfs comes from. */
    public sealed interface Initrd {
        /** This file. */
        record File(Path path) implements Initrd {
            public File {
                Objects.requireNonNull(path, "path");
            }
        }

        /** The provisioned busybox initramfs for the arch. */
        record Provisioned() implements Initrd {
        }

        /** No initramfs. */
        record None() implements Initrd {
        }
    }

    public LaunchRequest {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(cmdline, "cmdline");
        Objects.requireNonNull(exec, "exec");
        Objects.requireNonNull(backend, "backend");
        files = List.copyOf(files);
        modules = List.copyOf(modules);
    }

    /** The provisioned guest for {@code arch}: ACPI, default command line, 512 MiB, 1 vCPU, executor auto. */
    public static LaunchRequest of(Arch arch) {
        return new LaunchRequest(arch, BootMode.ACPI, new Kernel.Provisioned(), new Initrd.Provisioned(), Optional.empty(),
                Optional.empty(), 512, 1, BackendChoice.AUTO, List.of(), List.of(), false);
    }

    public LaunchRequest withMode(BootMode m) {
        return new LaunchRequest(arch, m, kernel, initrd, cmdline, exec, memoryMib, cpus, backend, files, modules, dataPort);
    }

    /** A kernel file, or {@code null} for the provisioned one. */
    public LaunchRequest withKernel(Path k) {
        return withKernel(k == null ? new Kernel.Provisioned() : new Kernel.File(k));
    }

    public LaunchRequest withKernel(Kernel k) {
        return new LaunchRequest(arch, mode, k, initrd, cmdline, exec, memoryMib, cpus, backend, files, modules, dataPort);
    }

    /** The kernel file, if the request names one. */
    public Optional<Path> kernelFile() {
        return kernel instanceof Kernel.File f ? Optional.of(f.path()) : Optional.empty();
    }

    public LaunchRequest withInitrd(Initrd i) {
        return new LaunchRequest(arch, mode, kernel, i, cmdline, exec, memoryMib, cpus, backend, files, modules, dataPort);
    }

    /** A command line, or {@code null} for the default. */
    public LaunchRequest withCmdline(String c) {
        return new LaunchRequest(arch, mode, kernel, initrd, Optional.ofNullable(c), exec, memoryMib, cpus, backend, files, modules, dataPort);
    }

    /** A command for the guest to run, or {@code null} for none. */
    public LaunchRequest withExec(String e) {
        return new LaunchRequest(arch, mode, kernel, initrd, cmdline, Optional.ofNullable(e), memoryMib, cpus, backend, files, modules, dataPort);
    }

    public LaunchRequest withMemoryMib(int mib) {
        return new LaunchRequest(arch, mode, kernel, initrd, cmdline, exec, mib, cpus, backend, files, modules, dataPort);
    }

    public LaunchRequest withCpus(int n) {
        return new LaunchRequest(arch, mode, kernel, initrd, cmdline, exec, memoryMib, n, backend, files, modules, dataPort);
    }

    public LaunchRequest withBackend(BackendChoice b) {
        return new LaunchRequest(arch, mode, kernel, initrd, cmdline, exec, memoryMib, cpus, b, files, modules, dataPort);
    }

    /** Files to place in the guest (replacing any given before). */
    public LaunchRequest withFiles(List<GuestFile> f) {
        return new LaunchRequest(arch, mode, kernel, initrd, cmdline, exec, memoryMib, cpus, backend, f, modules, dataPort);
    }

    /** With or without the data port. */
    public LaunchRequest withDataPort(boolean enabled) {
        return new LaunchRequest(arch, mode, kernel, initrd, cmdline, exec, memoryMib, cpus, backend, files, modules, enabled);
    }

    /** Kernel module directories to place under {@code /lib/modules/<release>/} (replacing any given before). */
    public LaunchRequest withModules(List<GuestModules> m) {
        return new LaunchRequest(arch, mode, kernel, initrd, cmdline, exec, memoryMib, cpus, backend, files, m, dataPort);
    }
}
