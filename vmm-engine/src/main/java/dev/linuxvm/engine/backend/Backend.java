package dev.linuxvm.engine.backend;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;

/** Executes a {@link GuestImage}: the KVM backend or the QEMU executor. */
public interface Backend {
    /** Short name for messages and reports ("kvm", "qemu-tcg"). */
    String name();

    /**
     * Whether this backend can run a full boot of an {@code arch} guest on this host; when not,
     * {@link Availability#reason()} says why and how to fix it.
     */
    Availability availability(Arch arch);

    /** Starts the guest; console output goes to {@code console} from the backend's thread. */
    RunningVm start(GuestImage image, ConsoleListener console);

    record Availability(boolean available, String reason) {
        public static Availability yes(String why) {
            return new Availability(true, why);
        }

        public static Availability no(String whyAndFix) {
            return new Availability(false, whyAndFix);
        }
    }
}
