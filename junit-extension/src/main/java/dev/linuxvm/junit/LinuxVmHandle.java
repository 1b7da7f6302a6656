package dev.linuxvm.junit;

import dev.linuxvm.engine.launch.BootMode;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.VmExit;
import dev.linuxvm.junit.ktap.KtapDocument;
import dev.linuxvm.junit.ktap.KtapParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The guest of the current test: its state, its files, copying files in and out, and how to stop it. */
public final class LinuxVmHandle {
    /** Where a guest is in its life. */
    public enum State { RUNNING, POWERED_OFF, RESET, CRASHED, STOPPED }

    private final RunningVm vm;
    private final VmSpec spec;
    private final LaunchedGuest guest;
    private final Path reportDir;
    private final Map<String, Path> artifacts;
    private final TimeoutScale scale;
    private SerialConsole console;

    LinuxVmHandle(VmSpec spec, LaunchedGuest guest, Path reportDir, Map<String, Path> artifacts, TimeoutScale scale) {
        this.vm = guest.vm();
        this.spec = spec;
        this.guest = guest;
        this.reportDir = reportDir;
        this.artifacts = Map.copyOf(artifacts);
        this.scale = scale;
    }

    /** Wires the console once the session has it (the handle is made first). */
    void attach(SerialConsole console) {
        this.console = console;
    }

    private SerialConsole console() {
        if (console == null) {
            throw new IllegalStateException("the guest's console is not connected yet");
        }
        return console;
    }

    // ---- files -------------------------------------------------------------------------------

    /** How {@link #copyIn} and {@link #copyOut} move the bytes. */
    public enum TransferChannel {
        /** The data port's virtio-console ({@link LinuxVm#dataPort()}): MB/s. */
        DATA_PORT,
        /** base64 over the serial console: about 0.03 MB/s in, 0.1 MB/s out under TCG. */
        SERIAL_CONSOLE
    }

    /**
     * The channel {@link #copyIn} and {@link #copyOut} use for this guest: the data port when the
     * test asked for it ({@link LinuxVm#dataPort()}) and the executor provides it (QEMU), else
     * the serial console.
     */
    public TransferChannel transferChannel() {
        return vm.dataPort().isPresent() ? TransferChannel.DATA_PORT : TransferChannel.SERIAL_CONSOLE;
    }

    /**
     * Copies the host file {@code host} to {@code guest} (created with its parent directories,
     * replaced if it exists) over the {@link #transferChannel()}, and checks size and SHA-256 on
     * both ends. Any bytes; the guest needs only busybox.
     *
     * @return the number of bytes copied
     * @throws FileTransferException when a guest command fails or the guest file differs; its
     *                               message names the channel
     */
    public long copyIn(Path host, String guest) {
        return vm.dataPort().map(port -> new DataPortFiles(console(), port).copyIn(host, guest))
                .orElseGet(() -> new ConsoleFiles(console()).copyIn(host, guest));
    }

    /**
     * Copies the guest file {@code guest} to {@code host} (parent directories created, replaced if
     * it exists) over the {@link #transferChannel()}, and checks size and SHA-256 on both ends.
     *
     * @return the number of bytes copied
     * @throws FileTransferException when the guest file cannot be read or the copy differs
     */
    public long copyOut(String guest, Path host) {
        return vm.dataPort().map(port -> new DataPortFiles(console(), port).copyOut(guest, host))
                .orElseGet(() -> new ConsoleFiles(console()).copyOut(guest, host));
    }

    /**
     * The KTAP document in the guest file {@code guest} (a test program's saved output, a
     * debugfs {@code results} file), read with {@code cat}.
     *
     * @throws FileTransferException when the file cannot be read
     */
    public KtapDocument ktapFile(String guest) {
        ExecResult r = console().exec("cat " + ConsoleFiles.quote(guest));
        if (!r.succeeded()) {
            throw new FileTransferException("ktapFile " + guest + ": `" + r.command() + "` exited with " + r.exitStatus()
                    + ": " + r.output() + "\n  report:   " + reportDir, String.join("\n", console().tail(SerialConsole.TAIL_LINES)));
        }
        return KtapParser.create().parse(r.output());
    }

    public State state() {
        return vm.exit().map(LinuxVmHandle::stateOf).orElse(State.RUNNING);
    }

    static State stateOf(VmExit exit) {
        if (exit instanceof VmExit.PoweredOff) {
            return State.POWERED_OFF;
        } else if (exit instanceof VmExit.Reset) {
            return State.RESET;
        } else if (exit instanceof VmExit.Crashed) {
            return State.CRASHED;
        }
        return State.STOPPED;
    }

    /** "running", or the exit's description. */
    public String describeState() {
        return vm.exit().map(VmExit::describe).orElse("running");
    }

    public Optional<VmExit> exit() {
        return vm.exit();
    }

    /**
     * Waits up to {@code timeout} (scaled like console timeouts) for the guest to end.
     *
     * @throws AssertionError when it is still running afterwards
     */
    public VmExit awaitExit(Duration timeout) {
        Duration effective = scale.apply(timeout);
        try {
            return vm.awaitExit(effective).orElseThrow(() -> new AssertionError(
                    "the guest was still running after " + effective.toMillis() + " ms (" + scale.describe()
                            + "); report: " + reportDir));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the guest to end", e);
        }
    }

    /** Stops the guest from the host side (idempotent); the exit becomes {@link State#STOPPED} if it was running. */
    public void powerOff() {
        vm.close();
    }

    public Arch arch() {
        return spec.arch();
    }

    public BootMode mode() {
        return spec.mode();
    }

    public VmSpec spec() {
        return spec;
    }

    /** The executor's name ("qemu-tcg") and why it was chosen. */
    public String backend() {
        return guest.backend();
    }

    public String backendReason() {
        return guest.backendReason();
    }

    public String cmdline() {
        return guest.cmdline();
    }

    /** Generated firmware files (ACPI tables, DTB) copied into the report directory, by name. */
    public Map<String, Path> artifacts() {
        return artifacts;
    }

    public Path reportDir() {
        return reportDir;
    }
}
