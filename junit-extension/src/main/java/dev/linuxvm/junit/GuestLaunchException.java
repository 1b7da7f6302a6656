package dev.linuxvm.junit;

import dev.linuxvm.engine.VmmException;
import java.nio.file.Path;

/**
 * The guest of a test could not be built or started (bad kernel path, provisioning failed, no
 * executor can run it here). The message is the engine's one-line reason with the fix, plus the
 * guest's description and report directory; the engine exception stays attached as the cause and
 * its {@link #kind()} says whose problem it is.
 */
public final class GuestLaunchException extends RuntimeException {
    private final VmmException.Kind kind;

    GuestLaunchException(VmSpec spec, Path reportDir, RuntimeException cause) {
        super("cannot start the " + spec.arch() + " guest (" + spec.mode().displayName() + ", backend "
                + spec.backend() + "): " + cause.getMessage() + hint(cause) + "\n  report: "
                + reportDir.toAbsolutePath(), cause);
        this.kind = cause instanceof VmmException v ? v.kind() : VmmException.Kind.INTERNAL;
    }

    /** The engine error's kind: {@link VmmException.Kind#HOST_ENVIRONMENT} when this host cannot run the guest. */
    public VmmException.Kind kind() {
        return kind;
    }

    /** For a host that cannot run the guest: how to skip instead, when that is what the user wants. */
    private static String hint(RuntimeException cause) {
        return cause instanceof VmmException v && v.kind() == VmmException.Kind.HOST_ENVIRONMENT
                ? " (to skip such tests instead of failing them: @LinuxVm(skipWhenUnavailable = true) on the class,"
                        + " or -D" + LinuxVmExtension.SKIP_WHEN_UNAVAILABLE_PROPERTY + "=true for the run)"
                : "";
    }
}
