package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/** What the QEMU executor needs to know about the host: binaries, KVM, the TSC frequency. */
public final class QemuHost {
    private static final Path DEV_KVM = Path.of("/dev/kvm");
    /** Present when /dev/kvm is PVM's software nested virtualization (vmm-engine/README.md, "PVM"). */
    private static final Path PVM_MODULE = Path.of("/sys/module/kvm_pvm");
    /** Exposed by kernels that know the TSC frequency exactly (some hypervisors, newer kernels). */
    private static final Path SYSFS_TSC_KHZ = Path.of("/sys/devices/system/cpu/cpu0/tsc_freq_khz");
    private static final Path PROC_CPUINFO = Path.of("/proc/cpuinfo");

    private QemuHost() {
    }

    /** Debian's package that provides {@code arch.qemuSystemBinary()}. */
    public static String debianPackage(Arch arch) {
        return arch == Arch.X86_64 ? "qemu-system-x86" : "qemu-system-arm";
    }

    /** The command that installs QEMU for {@code arch} guests. */
    public static String installCommand(Arch arch) {
        return "sudo apt-get install " + debianPackage(arch);
    }

    /** {@code arch.qemuSystemBinary()} on the PATH, if there is one. */
    public static Optional<Path> findOnPath(Arch arch) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, arch.qemuSystemBinary());
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether QEMU can use KVM for an {@code guest} guest here, and why (not). Usable means: the
     * guest is the host's architecture, /dev/kvm is readable and writable, and it is not PVM
     * (PVM runs an unmodified kernel's CPL0 code in KVM's instruction emulator and cannot run
     * its userspace: vmm-engine/README.md, "PVM").
     */
    public static KvmUsability kvm(Arch guest) {
        Arch host = Arch.host();
        if (host != guest) {
            return new KvmUsability(false, "host is " + host + ", guest is " + guest + ": KVM needs the same architecture");
        }
        if (!Files.exists(DEV_KVM)) {
            return new KvmUsability(false, "/dev/kvm does not exist (no KVM on this host)");
        }
        if (!Files.isReadable(DEV_KVM) || !Files.isWritable(DEV_KVM)) {
            return new KvmUsability(false, "/dev/kvm is not readable and writable by this user: add the user to the kvm group");
        }
        if (Files.exists(PVM_MODULE)) {
            return new KvmUsability(false, "/dev/kvm is PVM (kvm_pvm), which cannot run an unmodified kernel's userspace");
        }
        return new KvmUsability(true, "/dev/kvm is usable");
    }

    /** Whether KVM is usable, with the reason either way. */
    public record KvmUsability(boolean usable, String reason) {
    }

    /**
     * The host TSC frequency in kHz, for the guest's {@code tsc_early_khz=}: under TCG the guest
     * TSC is the host TSC (QEMU's {@code cpu_get_ticks()} reads the host counter), and under KVM
     * it runs at the host rate too. Read from sysfs {@code tsc_freq_khz} when the kernel exposes
     * it, else from the first {@code cpu MHz} line of /proc/cpuinfo (on constant-TSC CPUs and
     * VMs this is the calibrated TSC rate). Empty on hosts without either (non-x86 hosts).
     */
    public static OptionalLong tscKhz() {
        try {
            if (Files.isReadable(SYSFS_TSC_KHZ)) {
                return OptionalLong.of(Long.parseLong(Files.readString(SYSFS_TSC_KHZ).trim()));
            }
            if (Files.isReadable(PROC_CPUINFO)) {
                return parseCpuinfoKhz(Files.readString(PROC_CPUINFO));
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /**
     * The first {@code cpu MHz} value of a /proc/cpuinfo text, in kHz. Read by hand, not with a
     * regular expression: the CLI reads it on every start, and the first regex costs milliseconds.
     */
    static OptionalLong parseCpuinfoKhz(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            if (!line.startsWith("cpu MHz")) {
                continue;
            }
            int colon = line.indexOf(':');
            String rest = line.substring("cpu MHz".length(), colon < 0 ? "cpu MHz".length() : colon);
            if (colon < 0 || !rest.isBlank()) {
                continue;
            }
            String value = line.substring(colon + 1).strip();
            int end = 0;
            while (end < value.length() && (Character.isDigit(value.charAt(end)) || value.charAt(end) == '.')) {
                end++;
            }
            try {
                return OptionalLong.of(Math.round(Double.parseDouble(value.substring(0, end)) * 1000));
            } catch (NumberFormatException e) {
                // not a number: as if the line were not there
            }
        }
        return OptionalLong.empty();
    }
}
