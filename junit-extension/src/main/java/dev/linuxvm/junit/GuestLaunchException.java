package dev.linuxvm.junit;

import java.nio.file.Path;

/**
 * The guest of a test could not be built or started (bad kernel path, provisioning failed, the
 * executor did not start). The message is the engine's one-line reason with the fix, plus the
 * guest's description and report directory; the engine exception stays attached as the cause.
 */
public final class GuestLaunchException extends RuntimeException {
    GuestLaunchException(VmSpec spec, Path reportDir, RuntimeException cause) {
        super("cannot start the " + spec.arch() + " guest (" + spec.mode().displayName() + ", backend "
                + spec.backend() + "): " + cause.getMessage() + "\n  report: " + reportDir.toAbsolutePath(), cause);
    }
}
