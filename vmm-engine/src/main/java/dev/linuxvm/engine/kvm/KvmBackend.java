package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs a {@link GuestImage} under Linux KVM through {@code /dev/kvm}, with linuxvm's own
 * devices (16550 / PL011, PM1 power off, reset).
 *
 * <p>PVM detection: PVM ("Pagetable-based Virtual Machine", software nested KVM) is a separate
 * KVM vendor module, {@code kvm_pvm}, in place of kvm_intel/kvm_amd; the kernel lists every
 * loaded module under {@code /sys/module}, so {@code /sys/module/kvm_pvm} existing is the
 * signal. On such a host {@link #availability} says no for full boots (an unmodified kernel
 * cannot run user space there, vmm-engine/README.md, "PVM"), while {@link #start} still
 * works for hand-assembled guests and early-boot tests.
 */
public final class KvmBackend implements Backend {
    private final Path devKvm;
    private final Path sysModule;
    private final List<CpuidMask> cpuidMasks;

    /** The host's /dev/kvm, with {@link CpuidMask#DEFAULTS}. */
    public KvmBackend() {
        this(CpuidMask.DEFAULTS);
    }

    /** The host's /dev/kvm with the given CPUID masks (empty: the guest sees all KVM supports). */
    public KvmBackend(List<CpuidMask> cpuidMasks) {
        this(Path.of(KvmSystem.DEV_KVM), Path.of("/sys/module"), cpuidMasks);
    }

    /** A KVM device and module directory other than the host's (tests, unusual hosts). */
    public KvmBackend(Path devKvm, Path sysModule, List<CpuidMask> cpuidMasks) {
        this.devKvm = devKvm;
        this.sysModule = sysModule;
        this.cpuidMasks = List.copyOf(cpuidMasks);
    }

    @Override
    public String name() {
        return "kvm";
    }

    /** Whether {@code /dev/kvm} is a PVM (software nested) KVM; see the class comment. */
    public boolean isPvm() {
        return Files.isDirectory(sysModule.resolve("kvm_pvm"));
    }

    /** Whether this backend can run a full boot of an {@code arch} guest: {@link #startable} and not PVM. */
    @Override
    public Availability availability(Arch arch) {
        Availability host = hostArch(arch);
        if (!host.available()) {
            return host;
        }
        if (!Files.exists(devKvm)) {
            return Availability.no(devKvm + " not present: load kvm_intel/kvm_amd or use the QEMU backend");
        }
        if (isPvm()) {
            return Availability.no(devKvm + " is PVM (" + sysModule.resolve("kvm_pvm")
                    + " exists): an unmodified kernel cannot run user space on this software nested KVM "
                    + "(init faults at the syscall entry); use the QEMU backend for full boots");
        }
        return probe();
    }

    private static Availability hostArch(Arch arch) {
        Arch host = Arch.host();
        if (arch != host) {
            return Availability.no("KVM runs guests of the host's architecture (" + host + "), not " + arch
                    + ": use the QEMU backend");
        }
        return Availability.yes(host.toString());
    }

    /**
     * Whether {@link #start} can run an {@code arch} guest here at all: the host's architecture
     * and a {@code /dev/kvm} that opens with API 12, PVM or not.
     */
    public Availability startable(Arch arch) {
        Availability host = hostArch(arch);
        return host.available() ? probe() : host;
    }

    /**
     * On a PVM host, what a user who chose this backend anyway should know; empty elsewhere.
     */
    public java.util.Optional<String> pvmWarning() {
        if (!isPvm()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(devKvm + " is PVM (software nested KVM): the guest kernel boots its first"
                + " steps, but its userspace will not run here; use the QEMU backend (or auto) for full boots");
    }

    /**
     * Whether {@code /dev/kvm} can be opened and speaks API 12, regardless of PVM: enough for
     * hand-assembled guests and early-boot tests.
     */
    public Availability probe() {
        if (!Files.exists(devKvm)) {
            return Availability.no(devKvm + " not present: load kvm_intel/kvm_amd or use the QEMU backend");
        }
        try (KvmSystem kvm = KvmSystem.open(devKvm.toString())) {
            int version = kvm.apiVersion();
            if (version != Ioctls.KVM_API_VERSION) {
                return Availability.no(devKvm + " speaks KVM API " + version + ", linuxvm needs "
                        + Ioctls.KVM_API_VERSION + ": use the QEMU backend");
            }
            return Availability.yes("KVM API " + version + " on " + devKvm);
        } catch (KvmException e) {
            return Availability.no(e.getMessage() + ": check permissions on " + devKvm
                    + " (add the user to the kvm group) or use the QEMU backend");
        }
    }

    @Override
    public RunningVm start(GuestImage image, ConsoleListener console) {
        return start(image, console, false);
    }

    /**
     * Starts the guest with its RAM in memfds mapped shared, so that {@link RunningVm#snapshot()}
     * works. The price over {@link #start}: shmem pages instead of anonymous ones (no transparent
     * huge pages unless the host enables them for shmem).
     */
    @Override
    public RunningVm startForSnapshot(GuestImage image, ConsoleListener console) {
        return start(image, console, true);
    }

    private RunningVm start(GuestImage image, ConsoleListener console, boolean sharedRam) {
        if (image.arch() != Arch.host()) {
            throw new KvmException("KVM cannot run an " + image.arch() + " guest on an " + Arch.host()
                    + " host: use the QEMU backend");
        }
        KvmSystem system = KvmSystem.open(devKvm.toString());
        KvmMachine<KvmVcpu> machine;
        try {
            int version = system.apiVersion();
            if (version != Ioctls.KVM_API_VERSION) {
                throw new KvmException(devKvm + " speaks KVM API " + version + ", linuxvm needs " + Ioctls.KVM_API_VERSION);
            }
        } catch (RuntimeException e) {
            system.close();
            throw e;
        }
        switch (image.arch()) {
            case X86_64:
                machine = KvmX86Machine.create(system, image, console, cpuidMasks, sharedRam);
                break;
            case AARCH64:
                machine = KvmArm64Machine.create(system, image, console, sharedRam);
                break;
            default:
                system.close();
                throw new KvmException("no KVM machine for " + image.arch());
        }
        try {
            return new KvmRunningVm<>(machine, "kvm");
        } catch (RuntimeException | Error e) {
            machine.close();
            throw e;
        }
    }

    /**
     * A new guest that continues where {@code snapshot}'s guest was paused, its RAM a
     * copy-on-write mapping of the snapshot's, its console output going to {@code console}.
     * Costs a VM, its vCPUs and the state ioctls: the same for any RAM size.
     */
    @Override
    public RunningVm restore(dev.linuxvm.engine.backend.Snapshot snapshot, ConsoleListener console) {
        if (!(snapshot instanceof KvmSnapshot)) {
            throw new IllegalArgumentException("the kvm backend restores its own snapshots, not " + snapshot);
        }
        KvmSnapshot s = (KvmSnapshot) snapshot;
        if (s.arch() != Arch.host()) {
            throw new KvmException("KVM cannot restore an " + s.arch() + " snapshot on an " + Arch.host() + " host");
        }
        KvmSystem system = KvmSystem.open(devKvm.toString());
        KvmMachine<KvmVcpu> machine = s.arch() == Arch.X86_64
                ? KvmX86Machine.restore(system, s, console)
                : KvmArm64Machine.restore(system, s, console);
        try {
            return new KvmRunningVm<>(machine, "kvm");
        } catch (RuntimeException | Error e) {
            machine.close();
            throw e;
        }
    }
}
