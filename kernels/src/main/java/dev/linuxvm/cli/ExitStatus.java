package dev.linuxvm.cli;

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
    /** Usage error or bad input (missing file, compressed kernel, wrong arch, no executor ...). */
    public static final int BAD_INPUT = 2;
    /** The guest panicked, reset, crashed, or ended without reporting the --exec status. */
    public static final int GUEST_FAILED = 3;
    /** The guest was still running when --timeout ran out. */
    public static final int TIMEOUT = 4;

    private ExitStatus() {
    }
}
