package dev.linuxvm.engine.launch;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.qemu.QemuBackend;
import dev.linuxvm.engine.backend.qemu.QemuCommandLine.Accelerator;
import dev.linuxvm.engine.kvm.KvmBackend;

import java.util.Objects;
import java.util.Optional;

/**
 * Chooses the executor for a guest, and says why. {@code AUTO} takes our KVM backend only when
 * {@link KvmBackend#availability} says it can run a full boot: the guest is the host's
 * architecture, /dev/kvm opens with API version 12, and it is not PVM (detected by
 * /sys/module/kvm_pvm; PVM runs guest kernel code in KVM's instruction emulator and cannot run an
 * unmodified kernel's userspace). Otherwise the QEMU executor runs the same engine-built guest.
 * {@code KVM} takes our backend whenever it can start at all, PVM included, with a warning.
 */
public final class BackendSelector {
    private BackendSelector() {
    }

    /**
     * @param backend  the executor
     * @param name     for messages and reports: "kvm", "qemu-kvm" or "qemu-tcg"
     * @param emulated whether guest code is emulated (QEMU's TCG): boots are ~10x slower than with
     *                 KVM, timeouts scale, and x86 guests need the TSC frequency on the command line
     * @param reason   why this executor was chosen
     * @param warning  what the user should know about running on it (one line), if anything
     */
    public record Selection(Backend backend, String name, boolean emulated, String reason, Optional<String> warning) {
        public Selection {
            Objects.requireNonNull(backend, "backend");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(warning, "warning");
        }

        public Selection(Backend backend, String name, boolean emulated, String reason) {
            this(backend, name, emulated, reason, Optional.empty());
        }
    }

    /** Whether {@code choice} can run an {@code arch} guest here, and why (not); never throws. */
    public static Backend.Availability availability(Arch arch, BackendChoice choice) {
        try {
            Selection s = select(arch, choice);
            return Backend.Availability.yes(s.name() + ": " + s.reason());
        } catch (VmmException e) {
            return Backend.Availability.no(e.getMessage());
        }
    }

    /** The executor for {@code arch}; throws with the reason and the fix when none can run it. */
    public static Selection select(Arch arch, BackendChoice choice) {
        return select(arch, choice, new KvmBackend());
    }

    /**
     * {@link #select(Arch, BackendChoice)} with a given KVM backend. An explicit KVM choice on a
     * PVM host is the user's to make: it runs (the kernel's early boot works there) with a
     * warning that userspace will not; {@code AUTO} never picks PVM.
     */
    static Selection select(Arch arch, BackendChoice choice, KvmBackend kvm) {
        Backend.Availability kvmAvailable = kvm.availability(arch);
        if (choice == BackendChoice.KVM) {
            if (kvmAvailable.available()) {
                return new Selection(kvm, "kvm", false, "requested; " + kvmAvailable.reason());
            }
            Backend.Availability startable = kvm.startable(arch);
            if (startable.available() && kvm.pvmWarning().isPresent()) {
                return new Selection(kvm, "kvm", false, "requested; " + startable.reason(), kvm.pvmWarning());
            }
            throw new VmmException(VmmException.Kind.HOST_ENVIRONMENT, "the KVM backend cannot run an " + arch + " guest here: "
                    + kvmAvailable.reason() + " (choose the QEMU backend, or auto)");
        }
        if (choice == BackendChoice.AUTO && kvmAvailable.available()) {
            return new Selection(kvm, "kvm", false, "auto: " + kvmAvailable.reason());
        }
        QemuBackend qemu = new QemuBackend();
        Backend.Availability q = qemu.availability(arch);
        if (!q.available()) {
            throw new VmmException(VmmException.Kind.HOST_ENVIRONMENT, "no executor for an " + arch + " guest: KVM: " + kvmAvailable.reason()
                    + "; QEMU: " + q.reason());
        }
        Accelerator accel = qemu.accelerator(arch);
        boolean emulated = accel == Accelerator.TCG;
        String name = emulated ? "qemu-tcg" : "qemu-kvm";
        String why = (choice == BackendChoice.QEMU ? "requested" : "auto: KVM backend unavailable ("
                + kvmAvailable.reason() + ")") + "; " + q.reason();
        return new Selection(qemu, name, emulated, why);
    }
}
