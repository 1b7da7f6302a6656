package dev.linuxvm.junit;

/**
 * A {@link LinuxVmHandle#copyIn} or {@link LinuxVmHandle#copyOut} that did not deliver the file
 * intact: a guest command failed, or the sizes or SHA-256 sums on the two ends differ. The
 * message names the file, the step and what each end saw, and quotes the console tail.
 */
public final class FileTransferException extends ConsoleException {
    FileTransferException(String message, String tail) {
        super(message, tail);
    }
}
