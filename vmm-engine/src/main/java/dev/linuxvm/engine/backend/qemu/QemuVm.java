package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.Background;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.VmmException.Kind;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.Snapshot;
import dev.linuxvm.engine.backend.VmExit;
import dev.linuxvm.engine.backend.qemu.QemuCommandLine.RestoredMachine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One running {@code qemu-system-*} process and the channels the executor owns: the FIFOs of the
 * serial port, QMP and the data port, and the wrapper's stdin (the lifeline).
 *
 * <p>How the exit is told apart (QEMU runs with {@code -no-reboot}):
 * <ol>
 *   <li>we closed it: {@link VmExit.Stopped};</li>
 *   <li>QMP {@code SHUTDOWN} event with reason {@code guest-shutdown} (PSCI SYSTEM_OFF, ACPI
 *       power button paths): {@link VmExit.PoweredOff}; reason {@code guest-reset} (0xCF9,
 *       i8042, PSCI SYSTEM_RESET, and an x86 triple fault, which resets the CPU as on
 *       hardware): {@link VmExit.Reset}; {@code guest-panic}: {@link VmExit.Crashed};</li>
 *   <li>x86_64, no event and a status of {@link #isPowerOffStatus}: the guest wrote to the
 *       sleep control port (0x604), which {@code isa-debug-exit} turns into
 *       {@code exit((value << 1) | 1) & 0xFF}: 105 from the kernel's 8-bit SLEEP_CONTROL_REG
 *       write of S5 (0x34; the FADT is hardware-reduced), 1 from a 16-bit PM1_CNT-style write
 *       (SLP_TYP/SLP_EN in bits 10..13, as test guests write it). Any other odd status with
 *       nothing on stderr counts too (some other value on that port), except the odd statuses
 *       of a QEMU killed by a signal;</li>
 *   <li>anything else: {@link VmExit.Crashed} with the exit status and QEMU's stderr tail.</li>
 * </ol>
 *
 * <p>No orphans: QEMU runs under a small {@code sh} wrapper that holds the read end of a pipe
 * from the JVM; when that pipe closes (close(), JVM exit, or the JVM killed with SIGKILL) the
 * wrapper kills QEMU with SIGKILL. A shutdown hook closes every live VM on a normal JVM exit.
 *
 * <p>Snapshots (QEMU's migration with {@code x-ignore-shared}: docs/devel/migration.rst in QEMU,
 * "Ignoring shared memory"; measured in DESIGN.md, "Snapshots with the QEMU executor"). A
 * template runs with its RAM in a file mapped shared; {@link #snapshot()}:
 * <ol>
 *   <li>{@code migrate-set-capabilities x-ignore-shared}: the RAM file is not copied;</li>
 *   <li>{@code stop};</li>
 *   <li>{@code migrate exec:cat > state} (QEMU 7.2 has no {@code file:} URI), polling
 *       {@code query-migrate} until {@code completed};</li>
 *   <li>SIGKILL the template's QEMU: the RAM file and the state are the snapshot now, and no
 *       process may write to that file again. The template has no exit until closed.</li>
 * </ol>
 * A clone starts paused with {@code -incoming defer} and its RAM file mapped private; before
 * {@code cont}: {@code x-ignore-shared}, {@code migrate-incoming exec:cat state}, and
 * {@code query-migrate} until {@code completed} (the machine is then {@code paused}).
 */
final class QemuVm implements RunningVm {
    /**
     * Creates the FIFOs of QEMU's {@code pipe} chardevs when the first arguments are
     * {@code --pipes NAME... --} ({@code NAME.in} and {@code NAME.out} of each, in the working
     * directory), then runs QEMU ("$@") in the background with stdout folded into stderr, prints
     * its pid, and kills it when the wrapper's stdin reaches EOF. Exits with QEMU's status, once QEMU and the lifeline
     * watcher are both reaped: the watcher is a forked copy of this shell, its command line names
     * QEMU's files, and one still dying after the wrapper's exit was a process left behind. The
     * watcher gets SIGKILL, not SIGTERM: a JVM started with SIGTERM ignored passes that on, and the
     * wait for a watcher that ignores it would never end.
     */
    static final String WRAPPER = String.join("\n",
            "exec 3<&0",
            "if [ \"$1\" = --pipes ]; then",
            "  shift; p=",
            "  while [ \"$1\" != -- ]; do p=\"$p $1.in $1.out\"; shift; done",
            "  shift; set -f; mkfifo -m 600 -- $p || exit 125; set +f",
            "fi",
            "\"$@\" </dev/null 3<&- 1>&2 &",
            "q=$!",
            "echo \"$q\"",
            "{ while read -r _ <&3; do :; done; kill -9 \"$q\" 2>/dev/null; } &",
            "w=$!",
            "exec 3<&-",
            "wait \"$q\"",
            "rc=$?",
            "kill -9 \"$w\" 2>/dev/null",
            "wait \"$w\" 2>/dev/null",
            "exit \"$rc\"");

    /**
     * Odd statuses the wrapper reports for QEMU killed by a signal (128 + SIGHUP, SIGQUIT, SIGBUS,
     * SIGKILL, SIGSEGV, SIGTERM): not an isa-debug-exit write. The S5 writes give 105 or 1
     * ({@link #isPowerOffStatus}), neither of them here.
     */
    private static final Set<Integer> SIGNAL_STATUSES = Set.of(129, 131, 135, 137, 139, 143);
    private static final Duration GRACE = Duration.ofSeconds(3);
    /** Time allowed for saving or loading a snapshot's device state (tens of KiB to a few MiB). */
    private static final Duration MIGRATION = Duration.ofSeconds(60);
    /** How long the shell that saves a snapshot may take to put the state file in place after QEMU has sent it. */
    private static final Duration STATE_FILE_WAIT = Duration.ofSeconds(10);
    /** Time allowed for QEMU to answer one QMP command. */
    private static final Duration QMP_REPLY = Duration.ofSeconds(30);

    /**
     * What QMP replies and events are matched with, compiled on first use: in QemuVm's own
     * initializer they were on the start's way (2 ms of CPU while the host's cores are busy with
     * QEMU's start and the guest's preparation), though only a running guest's events need them.
     */
    private static final class Qmp {
        static final Pattern SHUTDOWN_REASON =
                Pattern.compile("\"event\"\\s*:\\s*\"SHUTDOWN\".*\"reason\"\\s*:\\s*\"([a-z-]+)\"");
        static final Pattern MIGRATION_STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([a-z-]+)\"");
        static final Pattern ERROR_DESC = Pattern.compile("\"error-desc\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

        private Qmp() {
        }
    }
    /** The logger, found on first use: System.getLogger's service lookup costs the CLI's start 10 ms. */
    private static System.Logger log() {
        return System.getLogger(QemuVm.class.getName());
    }

    /** Put on {@link #replies} when QMP's stream ends. */
    private static final String QMP_CLOSED = "\u0000closed";
    private static final Set<QemuVm> LIVE = ConcurrentHashMap.newKeySet();
    private static final Thread SHUTDOWN_HOOK = new Thread(() -> List.copyOf(LIVE).forEach(QemuVm::close),
            "linuxvm-qemu-shutdown");

    static {
        Runtime.getRuntime().addShutdownHook(SHUTDOWN_HOOK);
    }

    private final Arch arch;
    private final Path workDir;
    private final Process wrapper;
    private final ProcessHandle qemu;
    private final Path stderrFile;
    private final Pipes serial;
    private final Pipes qmp;
    private final Pipes data;
    private final ByteChannel dataPort;
    private final BufferedReader qmpReader;
    private final OutputStream consoleInput;
    private final Thread serialThread;
    private final Thread qmpThread;
    private final Thread waiterThread;
    private final CompletableFuture<VmExit> exit = new CompletableFuture<>();
    /** QMP replies (not events), in order, for {@link #execute}. */
    private final LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final Object qmpLock = new Object();
    private final Template template;
    /**
     * The guest's RAM file ({@link RamFill}), open here after its name is gone: QEMU's mapping is
     * then not the last reference, so QEMU exits without freeing the pages (about 10 ms for the
     * 80 MiB a Linux boot touches, measured); {@link #releaseRam} frees them on a thread of ours
     * as soon as QEMU is reaped, while its exit is decided and reported.
     * Null: no RAM file.
     */
    private final FileChannel ramHold;
    /** Guards {@link #ramRelease}; not this object's monitor, which {@link #close()} holds while it joins the process waiter that calls {@link #releaseRam}. */
    private final Object ramLock = new Object();
    private Thread ramRelease;
    private int nextCommandId;
    private volatile String shutdownReason;
    private volatile boolean closing;
    /** Set once a snapshot owns the template's RAM: its QEMU has been killed on purpose. */
    private volatile boolean snapshotted;
    private boolean closed;

    /**
     * What a guest started for a snapshot keeps for it: the private directory its RAM file is in
     * (owned by this VM until {@link #snapshot()} hands it to the snapshot) and its machine.
     */
    record Template(Path dir, RestoredMachine machine, Path binary) {
    }

    /**
     * Starts QEMU and connects to it; on any failure everything started so far is released and a
     * {@link QemuException} names the cause (with QEMU's stderr when it has died).
     */
    static QemuVm start(Arch arch, QemuCommandLine.Invocation inv, Path workDir, ConsoleListener console,
                        Duration connectTimeout) {
        return start(arch, inv, workDir, console, connectTimeout, null, null, null);
    }

    /**
     * A {@link QemuCommandLine.Ram.Filled} RAM file (already sized) in its private directory
     * {@code dir}, and what goes into it. {@link QemuVm#start} writes it once QEMU is spawned and
     * deletes the directory once QEMU has mapped the file (its monitor answers only after machine
     * init), so the memory goes with the last process that maps it.
     */
    sealed interface Fill permits RamFill, ProcessFill {
    }

    record RamFill(Path dir, Path file, List<QemuCommandLine.RamWrite> writes) implements Fill {
        /** {@code length} bytes of {@code from} to {@code position} of {@code to}, in the kernel (sendfile). */
        static void copy(MemoryRegion.FileSlice from, int length, FileChannel to, long position) throws IOException {
            try (FileChannel src = FileChannel.open(from.path(), StandardOpenOption.READ)) {
                to.position(position);
                long done = 0;
                while (done < length) {
                    long n = src.transferTo(from.offset() + done, length - done, to);
                    if (n <= 0) {
                        throw new IOException(from.path() + " ended before byte " + (from.offset() + length)
                                + ": the file changed after the guest was built");
                    }
                    done += n;
                }
            }
        }

        /**
         * Whether {@code a} and {@code b} write the same file slice to the same place (data
         * writes are never the same: their bytes are not compared).
         */
        static boolean same(QemuCommandLine.RamWrite a, QemuCommandLine.RamWrite b) {
            if (a.offset() != b.offset() || a.length() != b.length() || a.file().isEmpty() || b.file().isEmpty()) {
                return false;
            }
            MemoryRegion.FileSlice x = a.file().get();
            MemoryRegion.FileSlice y = b.file().get();
            return x.offset() == y.offset() && x.path().equals(y.path());
        }

        void write() throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                for (QemuCommandLine.RamWrite w : writes) {
                    if (w.file().isPresent()) {
                        copy(w.file().get(), w.length(), ch, w.offset());
                        continue;
                    }
                    ByteBuffer b = ByteBuffer.wrap(w.data());
                    while (b.hasRemaining()) {
                        ch.write(b, w.offset() + b.position());
                    }
                }
            }
        }
    }

    /**
     * What a start writes into QEMU's own RAM when QEMU maps a {@link RamTemplate} copy-on-write:
     * zeros over the template's {@code stale} slices, then {@code writes} (RAM offsets), through
     * {@code /proc/PID/mem} once QEMU has mapped the template (its monitor answers only after
     * machine init, and it runs no guest code before {@code cont}). The writes copy the pages
     * they touch into QEMU's private memory, as the guest's own writes do.
     */
    record ProcessFill(RamTemplate template, List<RamTemplate.Slice> stale, List<QemuCommandLine.RamWrite> writes)
            implements Fill {
        private static final int CHUNK = 1 << 20;

        /** Writes them once QEMU ({@code pid}) has mapped the template, waiting at most {@code timeout} for that. */
        void write(long pid, Duration timeout) throws IOException {
            long base = awaitMapping(pid, template.file(), timeout);
            Path memFile = Path.of("/proc/" + pid + "/mem");
            try (FileChannel mem = FileChannel.open(memFile, StandardOpenOption.WRITE)) {
                for (RamTemplate.Slice s : stale) {
                    ByteBuffer zeros = ByteBuffer.allocateDirect(Math.min(CHUNK, s.length()));
                    for (long done = 0; done < s.length(); ) {
                        zeros.clear().limit((int) Math.min(zeros.capacity(), s.length() - done));
                        done += writeFully(mem, zeros, base + s.ramOffset() + done);
                    }
                }
                for (QemuCommandLine.RamWrite w : writes) {
                    if (w.file().isEmpty()) {
                        writeFully(mem, ByteBuffer.wrap(w.data()), base + w.offset());
                        continue;
                    }
                    MemoryRegion.FileSlice from = w.file().get();
                    try (FileChannel src = FileChannel.open(from.path(), StandardOpenOption.READ)) {
                        ByteBuffer buf = ByteBuffer.allocateDirect(Math.min(CHUNK, w.length()));
                        for (long done = 0; done < w.length(); ) {
                            buf.clear().limit((int) Math.min(buf.capacity(), w.length() - done));
                            while (buf.hasRemaining()) {
                                if (src.read(buf, from.offset() + done + buf.position()) < 0) {
                                    throw new IOException(from.path() + " ended before byte " + (from.offset() + w.length())
                                            + ": the file changed after the guest was built");
                                }
                            }
                            done += writeFully(mem, buf.flip(), base + w.offset() + done);
                        }
                    }
                }
            } catch (java.nio.file.AccessDeniedException e) {
                throw new IOException("writing the guest's boot data into QEMU's memory through " + memFile + " was refused"
                        + " (the ptrace policy, kernel.yama.ptrace_scope, decides who may): set LINUXVM_RAM_TEMPLATES=off"
                        + " to have the kernel copied into a RAM file instead", e);
            }
        }

        private static int writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
            int n = b.remaining();
            while (b.hasRemaining()) {
                ch.write(b, position + n - b.remaining());
            }
            return n;
        }

        /**
         * Where QEMU ({@code pid}) mapped {@code file} from its first byte, from /proc/PID/maps,
         * once it has: QEMU maps its RAM during machine init, before its monitor answers, so the
         * writes overlap the rest of its start.
         */
        static long awaitMapping(long pid, Path file, Duration timeout) throws IOException {
            String name = " " + file;
            Path maps = Path.of("/proc/" + pid + "/maps");
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                try {
                    for (String line : Files.readAllLines(maps)) {
                        // start-end perms offset dev inode path
                        if (line.endsWith(name)) {
                            String[] f = line.split(" +", 6);
                            if (Long.parseLong(f[2], 16) == 0) {
                                return Long.parseUnsignedLong(f[0].substring(0, f[0].indexOf('-')), 16);
                            }
                        }
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    throw new IOException("QEMU (pid " + pid + ") exited before it mapped the guest's RAM", e);
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("QEMU (pid " + pid + ") did not map the guest's RAM template " + file + " within "
                            + timeout.toMillis() + " ms");
                }
                try {
                    Thread.sleep(1); // polled: nothing signals that a process has mapped a file
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for QEMU to map the guest's RAM", e);
                }
            }
        }
    }

    /**
     * Like {@link #start(Arch, QemuCommandLine.Invocation, Path, ConsoleListener, Duration)};
     * {@code template} (may be null) is a snapshot template's RAM directory, released by
     * {@link #close()} unless a snapshot took it; {@code incomingState} (may be null) is a
     * snapshot's state file, loaded before the guest continues ({@code inv} has
     * {@code -incoming defer}).
     */
    static QemuVm start(Arch arch, QemuCommandLine.Invocation inv, Path workDir, ConsoleListener console,
                        Duration connectTimeout, Template template, Path incomingState, Fill fill) {
        Spawned spawned = spawn(inv, workDir, fill instanceof RamFill r ? r.dir() : null);
        return start(spawned, arch, console, connectTimeout, template, incomingState, fill, null);
    }

    /**
     * A QEMU process started on {@code -S} through the wrapper shell, nothing connected yet:
     * {@link QemuVm#start(Spawned, Arch, ConsoleListener, Duration, Template, Path, RamFill, CompletableFuture)}
     * connects it and continues the guest, {@link #kill()} ends it and removes its directories.
     */
    record Spawned(QemuCommandLine.Invocation inv, Path workDir, Path fillDir, Process wrapper, long pid, Path stderrFile) {
        /** Ends QEMU and removes the work directory and {@code fillDir}; for a process never started. */
        void kill() {
            killQemuFirst(ProcessHandle.of(pid).orElse(null), wrapper);
            deleteTree(workDir);
            if (fillDir != null) {
                deleteTree(fillDir);
            }
        }
    }

    /** {@code pipe}'s name in {@code workDir}, where the wrapper makes its FIFOs (names only: no path is word-split). */
    private static String pipeName(Path pipe, Path workDir) {
        if (!workDir.equals(pipe.getParent())) {
            throw new QemuException(Kind.INTERNAL, pipe + " is not in the work directory " + workDir);
        }
        return pipe.getFileName().toString();
    }

    /** Spawns QEMU through the wrapper shell; on failure removes {@code workDir} and {@code fillDir}. */
    static Spawned spawn(QemuCommandLine.Invocation inv, Path workDir, Path fillDir) {
        Process wrapper = null;
        Path stderrFile = workDir.resolve("qemu.stderr");
        try {
            ProcessBuilder pb = new ProcessBuilder();
            pb.command().addAll(List.of("/bin/sh", "-c", WRAPPER, "linuxvm-qemu", "--pipes"));
            pb.command().add(pipeName(inv.serialPipe(), workDir));
            pb.command().add(pipeName(inv.qmpPipe(), workDir));
            inv.dataPipe().ifPresent(p -> pb.command().add(pipeName(p, workDir)));
            pb.command().add("--");
            pb.command().addAll(inv.args());
            pb.directory(workDir.toFile());
            pb.redirectError(stderrFile.toFile());
            wrapper = pb.start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(wrapper.getInputStream(), StandardCharsets.US_ASCII))) {
                String line = out.readLine();
                if (line == null) {
                    throw new QemuException("the QEMU wrapper shell printed no pid: " + tail(stderrFile));
                }
                return new Spawned(inv, workDir, fillDir, wrapper, Long.parseLong(line.trim()), stderrFile);
            }
        } catch (IOException | RuntimeException e) {
            String stderr = tail(stderrFile);
            if (wrapper != null) {
                killTree(wrapper);
            }
            deleteTree(workDir);
            if (fillDir != null) {
                deleteTree(fillDir);
            }
            if (e instanceof QemuException q) {
                throw q;
            }
            throw new QemuException("starting " + inv.args().get(0) + " failed: " + e.getMessage()
                    + (stderr.isEmpty() ? "" : "; QEMU stderr: " + stderr), e);
        }
    }

    /**
     * QEMU's monitor (greeted, capabilities negotiated), serial port and data port (when the
     * invocation has one), connected before the guest runs: {@link QemuVm#start} takes them over.
     */
    record Connected(Pipes qmp, BufferedReader qmpReader, Pipes serial, Pipes data) {
        void close() {
            closeQuietly(serial);
            closeQuietly(data);
            closeQuietly(qmp);
        }
    }

    /**
     * Opens {@code spawned}'s QMP monitor (greeted, capabilities negotiated: QEMU answers only
     * after machine init, so it has mapped its RAM file by then), its serial port and its data
     * port. On failure closes what it opened and throws, leaving QEMU to the caller.
     */
    static Connected connect(Spawned spawned, Duration connectTimeout) throws IOException {
        QemuCommandLine.Invocation inv = spawned.inv();
        Path stderrFile = spawned.stderrFile();
        Pipes qmp = null;
        Pipes serial = null;
        Pipes data = null;
        try {
            Greeted greeted = awaitGreeting(spawned, connectTimeout);
            qmp = greeted.qmp();
            send(qmp.toQemu(), "{\"execute\":\"qmp_capabilities\"}");
            expect(greeted.reader(), "\"return\"", stderrFile, inv);
            serial = Pipes.open(inv.serialPipe());
            if (inv.dataPipe().isPresent()) {
                data = Pipes.open(inv.dataPipe().get());
            }
            return new Connected(qmp, greeted.reader(), serial, data);
        } catch (IOException | RuntimeException e) {
            closeQuietly(serial);
            closeQuietly(data);
            closeQuietly(qmp);
            throw e;
        }
    }

    private record Greeted(Pipes qmp, BufferedReader reader) {
    }

    /**
     * QMP's FIFOs, open once QEMU's greeting has come. Until then a write end of the output FIFO
     * is held here too, so that its read waits for QEMU (which may not have opened it yet)
     * instead of reading EOF; a watchdog ends that wait if the wrapper exits (QEMU failed to
     * start) or {@code timeout} passes. After it QEMU is the only writer, and its exit is EOF.
     */
    private static Greeted awaitGreeting(Spawned spawned, Duration timeout) throws IOException {
        QemuCommandLine.Invocation inv = spawned.inv();
        Path out = Pipes.fifo(inv.qmpPipe(), ".out");
        FileChannel fromQemu = null;
        Thread watchdog = null;
        AtomicBoolean greeted = new AtomicBoolean();
        try (FileChannel hold = FileChannel.open(out, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            fromQemu = FileChannel.open(out, StandardOpenOption.READ);
            FileChannel watched = fromQemu;
            Process wrapper = spawned.wrapper();
            watchdog = new Thread(() -> {
                try {
                    wrapper.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return; // greeted
                }
                if (!greeted.get()) {
                    closeQuietly(watched);
                }
            }, "linuxvm-qemu-greeting-" + spawned.workDir().getFileName());
            watchdog.setDaemon(true);
            watchdog.start();
            BufferedReader reader = new BufferedReader(new InputStreamReader(Channels.newInputStream(fromQemu), StandardCharsets.UTF_8));
            try {
                expect(reader, "\"QMP\"", spawned.stderrFile(), inv);
            } catch (AsynchronousCloseException e) {
                if (!wrapper.isAlive()) {
                    throw new QemuException("QEMU exited with status " + wrapper.exitValue() + " before it was ready: "
                            + tail(spawned.stderrFile()) + "\ncommand: " + String.join(" ", inv.args()));
                }
                throw new QemuException("QEMU did not open its QMP monitor within " + timeout.toSeconds() + " s: "
                        + tail(spawned.stderrFile()));
            }
            greeted.set(true);
            watchdog.interrupt();
            Pipes qmp = new Pipes(fromQemu, Pipes.openOneWay(Pipes.fifo(inv.qmpPipe(), ".in"), StandardOpenOption.WRITE));
            return new Greeted(qmp, reader);
        } catch (IOException | RuntimeException e) {
            if (watchdog != null) {
                watchdog.interrupt();
            }
            closeQuietly(fromQemu);
            throw e;
        }
    }

    /** {@code connected}'s connection, or its failure as {@link #connect} throws it. */
    private static Connected joinConnected(CompletableFuture<Connected> connected) throws IOException {
        try {
            return Background.join(connected);
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    /**
     * A {@code pipe} chardev's two FIFOs: the one QEMU writes ({@code .out}, read here) and the
     * one it reads ({@code .in}). The serial port is one: QEMU writes the console a byte at a
     * time, and a byte through a pipe costs its vCPU less than a socket's send (a boot's guest
     * part about 30 ms shorter, measured). QMP and the data port are the others, so that no Unix
     * socket is opened, whose first costs a cold JVM 14 ms of CPU. QEMU holds both open from its
     * start; what it writes reaches EOF when it exits, and what is written to it after that fails.
     */
    record Pipes(FileChannel fromQemu, FileChannel toQemu) implements AutoCloseable {
        /** Both, where QEMU holds them open already (after its monitor's greeting). */
        static Pipes open(Path base) throws IOException {
            FileChannel out = openOneWay(fifo(base, ".out"), StandardOpenOption.READ);
            try {
                return new Pipes(out, openOneWay(fifo(base, ".in"), StandardOpenOption.WRITE));
            } catch (IOException | RuntimeException e) {
                closeQuietly(out);
                throw e;
            }
        }

        /**
         * One end of {@code fifo}. A FIFO's open for one direction blocks until the other end is
         * open; with both ends held here for the moment, it cannot, even if QEMU has died: its
         * output then reads EOF at once.
         */
        static FileChannel openOneWay(Path fifo, StandardOpenOption direction) throws IOException {
            try (FileChannel both = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                return FileChannel.open(fifo, direction);
            }
        }

        static Path fifo(Path base, String suffix) {
            return base.resolveSibling(base.getFileName() + suffix);
        }

        @Override
        public void close() {
            closeQuietly(fromQemu);
            closeQuietly(toQemu);
        }

        /**
         * Both as one channel (the data port's, {@link RunningVm#dataPort}): closing it, or an
         * interrupt that closes either direction, closes both, as with a socket, so that a copy
         * abandoned half way makes the later ones fail at once instead of meeting stale bytes.
         */
        ByteChannel asByteChannel() {
            return new ByteChannel() {
                @Override
                public int read(ByteBuffer dst) throws IOException {
                    try {
                        return fromQemu.read(dst);
                    } catch (ClosedChannelException e) {
                        close();
                        throw e;
                    }
                }

                @Override
                public int write(ByteBuffer src) throws IOException {
                    try {
                        return toQemu.write(src);
                    } catch (ClosedChannelException e) {
                        close();
                        throw e;
                    }
                }

                @Override
                public boolean isOpen() {
                    return fromQemu.isOpen() && toQemu.isOpen();
                }

                @Override
                public void close() {
                    Pipes.this.close();
                }
            };
        }
    }

    /**
     * Fills the RAM file ({@code fill}, while QEMU starts: it runs no guest code before
     * {@code cont}), connects QMP, the serial port and the data port unless {@code connected}
     * (may be null) is connecting them already, loads {@code incomingState} when given, and continues the
     * guest. On failure QEMU is ended and its directories removed.
     */
    static QemuVm start(Spawned spawned, Arch arch, ConsoleListener console, Duration connectTimeout, Template template,
                        Path incomingState, Fill fill, CompletableFuture<Connected> connected) {
        QemuCommandLine.Invocation inv = spawned.inv();
        Path workDir = spawned.workDir();
        Process wrapper = spawned.wrapper();
        Path stderrFile = spawned.stderrFile();
        Connected c = null;
        QemuVm vm = null;
        FileChannel ramHold = null;
        try {
            long pid = spawned.pid();
            if (fill instanceof RamFill r) {
                r.write(); // QEMU starts meanwhile; it runs no guest code before cont
            } else if (fill instanceof ProcessFill p) {
                p.write(pid, connectTimeout); // as soon as QEMU has mapped its RAM; it runs no guest code before cont
            }
            ProcessHandle qemu = ProcessHandle.of(pid).orElse(null);
            c = connected == null ? connect(spawned, connectTimeout) : joinConnected(connected);
            if (fill instanceof RamFill r) {
                ramHold = FileChannel.open(r.file(), StandardOpenOption.READ);
            }
            if (spawned.fillDir() != null) {
                deleteTree(spawned.fillDir());
            }
            vm = new QemuVm(arch, workDir, wrapper, qemu, stderrFile, c.serial(), c.qmp(), c.data(), c.qmpReader(), console,
                    template, ramHold);
        } catch (IOException | RuntimeException e) {
            if (vm != null) {
                LIVE.remove(vm);
            }
            closeQuietly(ramHold);
            if (c != null) {
                c.close();
            }
            String stderr = tail(stderrFile);
            spawned.kill();
            if (c == null && connected != null) {
                try {
                    connected.join().close(); // connected meanwhile: QEMU is gone now, so it ends
                } catch (CompletionException ignored) {
                    // it did not connect
                }
            }
            if (e instanceof QemuException q) {
                throw q;
            }
            throw new QemuException("starting " + inv.args().get(0) + " failed: " + e.getMessage()
                    + (stderr.isEmpty() ? "" : "; QEMU stderr: " + stderr), e);
        }
        // From here the VM owns everything; close() releases it.
        try {
            vm.startThreads();
            if (incomingState != null) {
                vm.execute("migrate-set-capabilities", IGNORE_SHARED);
                vm.execute("migrate-incoming", "{\"uri\":\"exec:cat " + shellPath(incomingState) + "\"}");
                vm.awaitMigration("loading the snapshot " + incomingState.getParent());
            }
            // Not waiting for the reply: a guest may end before QEMU writes it (a reset at once).
            send(vm.qmp.toQemu(), "{\"execute\":\"cont\"}");
            return vm;
        } catch (IOException | RuntimeException e) {
            vm.close();
            if (e instanceof QemuException q) {
                throw q;
            }
            throw new QemuException("starting " + inv.args().get(0) + " failed: " + e.getMessage(), e);
        }
    }

    private static final String IGNORE_SHARED =
            "{\"capabilities\":[{\"capability\":\"x-ignore-shared\",\"state\":true}]}";

    /**
     * Steps 1–4 of the class comment. The template stays paused, without an exit, until closed.
     *
     * @throws QemuException when this guest was not started for a snapshot, or QEMU failed to save it
     * @throws IllegalStateException when the guest has ended or was already snapshotted
     */
    @Override
    public synchronized Snapshot snapshot() {
        if (template == null) {
            throw new QemuException(Kind.BAD_INPUT, "this QEMU guest cannot be snapshotted: it was started with start(), so"
                    + " its RAM is QEMU's anonymous memory; start it with Backend.startForSnapshot to give it a RAM file"
                    + " its clones can map");
        }
        if (snapshotted) {
            throw new IllegalStateException("this QEMU template was already snapshotted, and its QEMU ended with that:"
                    + " restore more guests from that snapshot");
        }
        if (closed || exit.isDone()) {
            throw new IllegalStateException("the guest has already ended: " + exit().map(VmExit::describe).orElse("closed"));
        }
        Path state = template.dir().resolve(QemuSnapshot.STATE_FILE);
        Path part = template.dir().resolve(QemuSnapshot.STATE_FILE + ".part");
        try {
            execute("migrate-set-capabilities", IGNORE_SHARED);
            execute("stop", null);
            // QEMU reports "completed" once the state is in the pipe, not once cat has written it:
            // the state file appears only when cat has succeeded (a failed cat, e.g. a missing
            // directory, lets QEMU's small state fit in the pipe and complete all the same).
            execute("migrate", "{\"uri\":\"exec:cat > " + shellPath(part) + " && mv " + shellPath(part) + " "
                    + shellPath(state) + "\"}");
            awaitMigration("saving the snapshot to " + template.dir());
            awaitStateFile(state);
        } catch (QemuException e) {
            // No snapshot: the guest runs on (best effort) and a half-written state goes.
            try {
                Files.deleteIfExists(part);
                Files.deleteIfExists(state);
                if (!exit.isDone()) {
                    execute("cont", null);
                }
            } catch (IOException | QemuException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        snapshotted = true;
        killQemuFirst(qemu, wrapper); // SIGKILL: nothing runs its exit path
        join(waiterThread);
        return new QemuSnapshot(template.dir(), template.machine(), template.binary());
    }

    /**
     * Sends one QMP command (with an id) and waits for its reply; events and replies to other
     * commands pass by. Returns the reply line.
     *
     * @throws QemuException on a QMP error, a closed monitor or no reply in time
     */
    String execute(String command, String argumentsJson) {
        synchronized (qmpLock) {
            String id = "linuxvm-" + ++nextCommandId;
            String json = "{\"execute\":\"" + command + "\"" + (argumentsJson == null ? "" : ",\"arguments\":" + argumentsJson)
                    + ",\"id\":\"" + id + "\"}";
            try {
                send(qmp.toQemu(), json);
            } catch (IOException e) {
                throw new QemuException("sending QMP " + command + " to QEMU failed: " + e.getMessage() + stderrSuffix(), e);
            }
            long deadline = System.nanoTime() + QMP_REPLY.toNanos();
            String idField = "\"id\": \"" + id + "\"";
            while (true) {
                String line;
                try {
                    line = replies.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new QemuException("interrupted while waiting for QEMU's reply to QMP " + command);
                }
                if (line == null) {
                    throw new QemuException("QEMU did not answer QMP " + command + " within " + QMP_REPLY + stderrSuffix());
                }
                if (line == QMP_CLOSED) {
                    replies.add(QMP_CLOSED); // for the next caller
                    throw new QemuException("QEMU closed its QMP monitor before answering " + command + stderrSuffix());
                }
                if (!line.replace("\"id\":\"", "\"id\": \"").contains(idField)) {
                    continue; // a reply to a command sent without waiting
                }
                if (line.startsWith("{\"error\"")) {
                    throw new QemuException("QMP " + command + " failed: " + line + stderrSuffix());
                }
                return line;
            }
        }
    }

    /** Waits for the saving shell to have renamed the complete state into place. */
    private void awaitStateFile(Path state) {
        long deadline = System.nanoTime() + STATE_FILE_WAIT.toNanos();
        while (!Files.isRegularFile(state)) {
            if (System.nanoTime() > deadline) {
                throw new QemuException("saving the snapshot to " + template.dir() + " failed: QEMU's migration completed"
                        + " but no state file appeared within " + STATE_FILE_WAIT + " (the shell writing it failed)"
                        + stderrSuffix());
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QemuException("interrupted while waiting for the snapshot's state file");
            }
        }
    }

    /** Polls {@code query-migrate} until {@code completed}; fails on {@code failed}, {@code cancelled} or QEMU's end. */
    private void awaitMigration(String what) {
        long deadline = System.nanoTime() + MIGRATION.toNanos();
        while (true) {
            String reply = execute("query-migrate", null);
            Matcher m = Qmp.MIGRATION_STATUS.matcher(reply);
            String status = m.find() ? m.group(1) : "none";
            switch (status) {
                case "completed":
                    return;
                case "failed":
                case "cancelled": {
                    Matcher d = Qmp.ERROR_DESC.matcher(reply);
                    throw new QemuException(what + " failed: QEMU's migration is " + status
                            + (d.find() ? ": " + d.group(1) : "") + stderrSuffix());
                }
                default:
                    break;
            }
            if (exit.isDone()) {
                throw new QemuException(what + " failed: QEMU ended (" + exit.join().describe() + ")");
            }
            if (System.nanoTime() > deadline) {
                throw new QemuException(what + " did not complete within " + MIGRATION + " (migration status " + status + ")"
                        + stderrSuffix());
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QemuException("interrupted while " + what);
            }
        }
    }

    /**
     * {@code path} single-quoted for the {@code sh -c} that QEMU's {@code exec:} runs; the path
     * must also go into JSON unescaped, so only a safe alphabet is accepted.
     */
    static String shellPath(Path path) {
        String s = path.toString();
        if (!s.matches("[A-Za-z0-9/._+-]+")) {
            throw new QemuException(Kind.BAD_INPUT, "snapshot path " + s + " has characters QEMU's exec: migration"
                    + " would need quoted: set QemuBackend.Builder.ramRoot to a plain path");
        }
        return "'" + s + "'";
    }

    private String stderrSuffix() {
        String stderr = tail(stderrFile);
        return stderr.isEmpty() ? "" : "; QEMU stderr: " + stderr;
    }

    private QemuVm(Arch arch, Path workDir, Process wrapper, ProcessHandle qemu, Path stderrFile,
                   Pipes serial, Pipes qmp, Pipes data, BufferedReader qmpReader,
                   ConsoleListener console, Template template, FileChannel ramHold) {
        this.arch = arch;
        this.workDir = workDir;
        this.wrapper = wrapper;
        this.qemu = qemu;
        this.stderrFile = stderrFile;
        this.serial = serial;
        this.qmp = qmp;
        this.data = data;
        this.dataPort = data == null ? null : data.asByteChannel();
        this.qmpReader = qmpReader;
        this.template = template;
        this.ramHold = ramHold;
        this.consoleInput = Channels.newOutputStream(serial.toQemu());
        String id = workDir.getFileName().toString();
        this.serialThread = new Thread(() -> pumpSerial(console), "linuxvm-qemu-serial-" + id);
        this.qmpThread = new Thread(this::readEvents, "linuxvm-qemu-qmp-" + id);
        this.waiterThread = new Thread(this::awaitProcess, "linuxvm-qemu-wait-" + id);
        for (Thread t : List.of(serialThread, qmpThread, waiterThread)) {
            t.setDaemon(true);
        }
        LIVE.add(this);
    }

    private void startThreads() {
        serialThread.start();
        qmpThread.start();
        waiterThread.start();
    }

    /** PID of the QEMU process itself (not the wrapper). */
    long qemuPid() {
        return qemu == null ? -1 : qemu.pid();
    }

    Path workDir() {
        return workDir;
    }

    @Override
    public OutputStream consoleInput() {
        return consoleInput;
    }

    @Override
    public Optional<ByteChannel> dataPort() {
        return Optional.ofNullable(dataPort);
    }

    @Override
    public Optional<VmExit> exit() {
        return Optional.ofNullable(exit.getNow(null));
    }

    @Override
    public Optional<VmExit> awaitExit(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * 1. SIGTERM to QEMU and wait up to the grace period; 2. close the lifeline (the wrapper
     * SIGKILLs QEMU) and SIGKILL whatever is left of the process tree; 3. close the sockets and
     * join the threads; 4. delete the work directory, and a template's RAM directory unless a
     * snapshot owns it.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closing = wrapper.isAlive();
        try {
            if (wrapper.isAlive()) {
                if (qemu != null) {
                    qemu.destroy();
                }
                try {
                    wrapper.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            killTree(wrapper);
            join(waiterThread);
            exit.complete(new VmExit.Stopped("closed by the host"));
            closeQuietly(serial);
            closeQuietly(data);
            closeQuietly(qmp);
            join(serialThread);
            join(qmpThread);
        } finally {
            deleteTree(workDir);
            if (template != null && !snapshotted) {
                deleteTree(template.dir());
            }
            Thread release = releaseRam();
            if (release != null) {
                join(release);
            }
            LIVE.remove(this);
        }
    }

    /**
     * Frees the guest's RAM file ({@link #ramHold}) on a thread of its own, once; returns that
     * thread (null: nothing to free). Safe at any time: while QEMU runs, its mapping keeps the
     * pages until it exits.
     */
    private Thread releaseRam() {
        synchronized (ramLock) {
            if (ramHold != null && ramRelease == null) {
                ramRelease = new Thread(() -> closeQuietly(ramHold), "linuxvm-qemu-ram-release-" + workDir.getFileName());
                ramRelease.setDaemon(true);
                ramRelease.start();
            }
            return ramRelease;
        }
    }

    private void pumpSerial(ConsoleListener console) {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        long dropped = 0;
        try {
            while (serial.fromQemu().read(buf.clear()) >= 0) {
                try {
                    console.onOutput(buf.array(), 0, buf.position());
                } catch (RuntimeException e) {
                    // The listener's bug is its own (ConsoleListener must not throw), but it is said
                    // out loud: stopping the drain would stall the guest's UART, so the bytes are
                    // dropped, the first failure is logged with its stack trace and reading goes on.
                    if (dropped == 0) {
                        log().log(System.Logger.Level.WARNING, "the console listener of the QEMU guest in " + workDir
                                + " threw; its console output is dropped from here on while the guest runs", e);
                    }
                    dropped += buf.position();
                }
            }
        } catch (IOException e) {
            // closed by close(): the stream simply ends (QEMU's exit ends it at EOF)
        }
        if (dropped > 0) {
            log().log(System.Logger.Level.WARNING, "the console listener of the QEMU guest in " + workDir + " failed: "
                    + dropped + " bytes of console output were dropped");
        }
    }

    private void readEvents() {
        try {
            String line;
            while ((line = qmpReader.readLine()) != null) {
                if (line.startsWith("{\"return\"") || line.startsWith("{\"error\"")) {
                    replies.add(line);
                    continue;
                }
                Matcher m = Qmp.SHUTDOWN_REASON.matcher(line);
                if (m.find()) {
                    shutdownReason = m.group(1);
                }
            }
        } catch (IOException e) {
            // closed
        } finally {
            replies.add(QMP_CLOSED);
        }
    }

    private void awaitProcess() {
        int status;
        try {
            status = wrapper.waitFor();
        } catch (InterruptedException e) {
            return;
        }
        // QEMU is gone (the wrapper reaped it), its mapping with it: our reference is the last
        // and the pages go on the release thread while the exit is decided and reported. Not at
        // the serial port's end: QEMU on aarch64 closes it before it exits, and the last
        // reference would be QEMU's again.
        releaseRam();
        // The event and the last console bytes may still be in flight when the process is gone.
        join(qmpThread);
        join(serialThread);
        if (snapshotted) {
            return; // killed for the snapshot: the template has no exit until closed
        }
        exit.complete(decide(status));
    }

    private VmExit decide(int status) {
        if (closing) {
            return new VmExit.Stopped("closed by the host");
        }
        String reason = shutdownReason;
        String stderr = tail(stderrFile);
        if (reason != null) {
            switch (reason) {
                case "guest-shutdown": return new VmExit.PoweredOff();
                case "guest-reset": return new VmExit.Reset();
                case "guest-panic": return new VmExit.Crashed("guest panicked (QEMU SHUTDOWN reason guest-panic)");
                default: break;
            }
        }
        if (arch == Arch.X86_64 && reason == null && isPowerOffStatus(status, stderr)) {
            return new VmExit.PoweredOff(); // isa-debug-exit on the sleep control port
        }
        return new VmExit.Crashed("QEMU exited with status " + status
                + (reason == null ? "" : " after SHUTDOWN reason " + reason)
                + (stderr.isEmpty() ? "" : "; stderr: " + stderr));
    }

    /** isa-debug-exit's status for the kernel's 8-bit S5 write 0x34 to SLEEP_CONTROL_REG: (0x34 << 1 | 1) & 0xFF. */
    static final int SLEEP_CONTROL_S5_STATUS = 105;
    /** isa-debug-exit's status for a 16-bit PM1_CNT-style S5 write such as 0x3400: (0x3400 << 1 | 1) & 0xFF. */
    static final int PM1_CONTROL_S5_STATUS = 1;

    /**
     * Whether an x86_64 QEMU that exited with {@code status} and no SHUTDOWN event was powered
     * off by an isa-debug-exit write: the two S5 statuses whatever QEMU warned about on stderr,
     * or another odd status, not a signal's, with nothing on stderr.
     */
    static boolean isPowerOffStatus(int status, String stderr) {
        return status == SLEEP_CONTROL_S5_STATUS || status == PM1_CONTROL_S5_STATUS
                || (status & 1) == 1 && !SIGNAL_STATUSES.contains(status) && stderr.isEmpty();
    }

    private static void expect(BufferedReader reader, String token, Path stderrFile, QemuCommandLine.Invocation inv)
            throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.contains(token)) {
                return;
            }
            if (line.contains("\"error\"")) {
                throw new QemuException("QMP error: " + line);
            }
        }
        throw new QemuException("QEMU closed its QMP monitor while starting: " + tail(stderrFile));
    }

    private static void send(WritableByteChannel ch, String json) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** SIGKILL to QEMU ({@code null}: gone already) first, so that the wrapper's wait reaps it, then to whatever is left. */
    private static void killQemuFirst(ProcessHandle qemu, Process wrapper) {
        if (qemu != null) {
            qemu.destroyForcibly();
        }
        try {
            wrapper.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        killTree(wrapper);
    }

    /**
     * Closes the lifeline and SIGKILLs the wrapper and everything under it. A wrapper that has
     * ended has nothing under it any more (it reaps QEMU and kills its lifeline watcher before it
     * exits; an orphan would now be init's child), so its descendants are looked up (a scan of
     * every /proc/PID/stat, 3-8 ms) only while it lives.
     */
    private static void killTree(Process wrapper) {
        try {
            wrapper.getOutputStream().close();
        } catch (IOException e) {
            // already closed
        }
        if (wrapper.isAlive()) {
            try (Stream<ProcessHandle> children = wrapper.descendants()) {
                children.forEach(ProcessHandle::destroyForcibly);
            }
        }
        wrapper.destroyForcibly();
        try {
            if (!wrapper.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new QemuException("QEMU wrapper pid " + wrapper.pid() + " survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(wrapper.getInputStream());
        closeQuietly(wrapper.getErrorStream());
    }

    /** The last 2000 characters of QEMU's stderr, or "" when it wrote nothing. */
    static String tail(Path stderrFile) {
        try {
            if (!Files.exists(stderrFile)) {
                return "";
            }
            String s = Files.readString(stderrFile, StandardCharsets.UTF_8).strip();
            return s.length() <= 2000 ? s : "…" + s.substring(s.length() - 2000);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static void join(Thread t) {
        if (t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(GRACE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // nothing left to release
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort; reported by the leak test
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
