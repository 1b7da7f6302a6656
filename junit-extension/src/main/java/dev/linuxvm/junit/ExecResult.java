package dev.linuxvm.junit;

/**
 * What {@link SerialConsole#exec} saw.
 *
 * @param command    the command as given
 * @param output     everything the command printed (stdout and stderr share the console), CR
 *                   removed, the final newline removed
 * @param exitStatus the shell's {@code $?} after the command
 */
public record ExecResult(String command, String output, int exitStatus) {
    public boolean succeeded() {
        return exitStatus == 0;
    }
}
