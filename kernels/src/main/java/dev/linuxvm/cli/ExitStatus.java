package dev.linuxvm.cli;

import dev.linuxvm.engine.VmmException;

/**
 * The CLI's exit statuses. With {@code --exec} the guest command's own status is passed through,
 * so 1..255 can also be the command's; every status the CLI itself chooses comes with one
 * {@code linuxvm: ...} line on stderr, the command's status with none.
 */
public final class ExitStatus {
    /** The guest powered off (and the {@code --exec} command, if any, exited 0). */
    public static final int OK = 0;
    /** A failure inside linuxvm itself (a bug): the stderr line names the exception. */
    public static final int INTERNAL_ERROR = 1;
    /** Usage error or bad input (missing file, compressed kernel, wrong arch, too-long command line ...). */
    public static final int BAD_INPUT = 2;
    /** The guest panicked, reset, crashed, or ended without reporting the --exec status. */
    public static final int GUEST_FAILED = 3;
    /** The guest was still running when --timeout ran out. */
    public static final int TIMEOUT = 4;
    /**
     * This host cannot run the guest as asked: no executor (no QEMU, {@code --backend kvm} without
     * a usable /dev/kvm), provisioning the default guest failed (apt, network, cache directory),
     * or QEMU would not start. The stderr line names what is missing and how to get it.
     */
    public static final int HOST_ENVIRONMENT = 5;

    private ExitStatus() {
    }

    /** The status for an engine error of {@code kind}. */
    public static int of(VmmException.Kind kind) {
        return switch (kind) {
            case BAD_INPUT -> BAD_INPUT;
            case HOST_ENVIRONMENT -> HOST_ENVIRONMENT;
            case GUEST_FAILURE -> GUEST_FAILED;
            case INTERNAL -> INTERNAL_ERROR;
        };
    }
}
