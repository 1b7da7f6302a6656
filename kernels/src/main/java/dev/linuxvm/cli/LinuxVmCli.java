package dev.linuxvm.cli;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.VmExit;
import dev.linuxvm.engine.launch.BackendChoice;
import dev.linuxvm.engine.launch.BackendSelector;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.kernels.GuestInitramfs;
import dev.linuxvm.kernels.TestKernels;
import dev.linuxvm.launcher.LaunchRequest;
import dev.linuxvm.launcher.Launcher;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code linuxvm}: boots a Linux kernel directly on an engine-built guest, with the reference
 * design's {@code --kernel --initrd --cmdline --device-tree} flags. Without {@code --kernel} it
 * boots the provisioned default guest ({@link TestKernels}).
 *
 * <p>One run: 0. from a first look at the arguments ({@link #guess}), start the executor for the
 * machine they ask for, prepare their guest and start it with its console held, on threads of
 * their own ({@link Launcher.Guess}), and wait for that; 1. parse the flags (usage errors exit 2),
 * and take the guessed guest if the parse asks for the same, else stop and release it;
 * 2.-4. {@link Launcher#prepare}, the launch path the JUnit extension shares: validate, choose the
 * executor, resolve and provision kernel and initrd with the {@code --exec} overlay, build the guest;
 * every engine error exits with the status of its {@link VmmException.Kind} (bad input 2, host
 * environment 5, see {@link ExitStatus#of}) and its one-line message; 5. say on stderr what runs, on
 * what, and why; 6. run the console (raw terminal or streamed) until the guest ends, the user
 * quits, or the timeout; 7. map the outcome to an {@link ExitStatus} with one stderr line.
 */
public final class LinuxVmCli {
    /** How long an --exec run may take when --timeout is not given. */
    static final Duration DEFAULT_EXEC_TIMEOUT = Duration.ofMinutes(10);
    /** --memory and --cpus when not given. */
    static final int DEFAULT_MEMORY_MIB = 512;
    static final int DEFAULT_CPUS = 1;
    /**
     * After the panic's closing line the guest reboots (panic=-1) or hangs (a --cmdline without
     * panic=-1); this long, then the CLI stops it.
     */
    static final Duration PANIC_GRACE = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(100);
    /** The options {@link #guess} reads: each takes one value. */
    private static final List<String> EARLY_OPTIONS = List.of("--kernel", "--initrd", "--cmdline", "--arch", "--memory",
            "--cpus", "--backend", "--exec", "--timeout");

    // The options' values, set from the parse (see spec()).
    Path kernel;
    Path initrd;
    String cmdline;
    boolean deviceTree;
    Arch arch;
    int memoryMib;
    int cpus;
    BackendChoice backend;
    String exec;
    Duration timeout;

    private static final String[] DESCRIPTION = {
        "Boots a Linux kernel directly (no firmware, no boot loader): the engine loads the kernel,",
        "builds the boot structures and ACPI tables (or a device tree) and runs the guest on KVM or QEMU.",
        "Without --kernel it boots the default guest (Debian's cloud kernel + a busybox initramfs),",
        "provisioned into the cache on first use.",
        "",
        "Interactive when stdin and stdout are a terminal (Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A);",
        "otherwise the console streams to stdout and piped stdin is forwarded to the guest.",
        ""};

    private static final String[][] EXIT_CODES = {
        {"0", "the guest powered off (with --exec: the command exited 0)"},
        {"N", "with --exec, the command's exit status N (no stderr line)"},
        {"1", "internal error in linuxvm"},
        {"2", "usage error or bad input (missing file, compressed kernel, wrong arch, command line too long)"},
        {"3", "the guest panicked, reset or crashed (one line on stderr says which)"},
        {"4", "timed out (--timeout)"},
        {"5", "this host cannot run the guest (no QEMU, no usable KVM, provisioning failed): the line says the fix"}};

    private static final String[] EXAMPLES = {
        "  linuxvm --exec 'uname -a'",
        "  linuxvm --arch aarch64 --device-tree --exec 'cat /proc/device-tree/model'",
        "  linuxvm --kernel path/to/vmlinux --initrd path/to/initrd --cmdline \"console=ttyS0\"",
        "  linuxvm --arch aarch64 --kernel path/to/Image --initrd path/to/initrd \\",
        "          --cmdline \"console=ttyAMA0 earlycon\" --device-tree"};

    /**
     * The command, built in code rather than from annotations: picocli reads annotations through
     * reflection, and each annotation type is a proxy class the JVM generates at run time, which
     * no class-data-sharing archive keeps (30 ms of the CLI's start, measured).
     */
    static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("linuxvm").versionProvider(new Version());
        Map<String, String> exitCodes = new LinkedHashMap<>();
        for (String[] e : EXIT_CODES) {
            exitCodes.put(e[0], e[1]);
        }
        spec.usageMessage().sortOptions(false).width(100).description(DESCRIPTION)
                .exitCodeListHeading("%nExit status:%n").exitCodeList(exitCodes)
                .footerHeading("%nExamples:%n").footer(EXAMPLES);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        spec.addOption(option("--kernel", "FILE", Path.class, 1,
                "Uncompressed kernel: ELF vmlinux (x86_64) or Image (aarch64). Default: the provisioned kernel.")
                .converters(new PathConverter()).build());
        spec.addOption(option("--initrd", "FILE", Path.class, 2,
                "Initramfs (cpio, optionally compressed). Default: the provisioned busybox initramfs "
                        + "when --kernel is not given or --exec is; none otherwise.")
                .converters(new PathConverter()).build());
        spec.addOption(option("--cmdline", "TEXT", String.class, 3,
                "Kernel command line, replacing the default "
                        + "(x86_64: console=ttyS0 earlyprintk=ttyS0 panic=-1 [tsc_early_khz=… tsc=reliable];"
                        + " aarch64: console=ttyAMA0 earlycon panic=-1).").build());
        spec.addOption(OptionSpec.builder("--device-tree").type(boolean.class).order(4)
                .description("aarch64: describe the machine with a full device tree instead of ACPI (the default). Not on x86_64.")
                .build());
        spec.addOption(option("--arch", "x86_64|aarch64", Arch.class, 5, "Guest architecture. Default: the host's.")
                .converters(new ArchConverter()).build());
        spec.addOption(option("--memory", "MIB", int.class, 6, "Guest RAM in MiB (default: ${DEFAULT-VALUE}).")
                .defaultValue(String.valueOf(DEFAULT_MEMORY_MIB)).build());
        spec.addOption(option("--cpus", "N", int.class, 7, "vCPUs (default: ${DEFAULT-VALUE}).")
                .defaultValue(String.valueOf(DEFAULT_CPUS)).build());
        spec.addOption(option("--backend", "auto|kvm|qemu", BackendChoice.class, 8,
                "Executor: our KVM backend, the QEMU executor, or auto (KVM when it can run a full boot here, else QEMU).")
                .defaultValue("auto").converters(new BackendConverter()).build());
        spec.addOption(option("--exec", "COMMAND", String.class, 9,
                "Run this shell command in the guest instead of the interactive shell, then power off; "
                        + "exit with its status. Needs the default initramfs or an --initrd that follows its contract "
                        + "(runs /linuxvm/exec, prints 'linuxvm: exit N').").build());
        spec.addOption(option("--timeout", "DURATION", Duration.class, 10,
                "Stop the guest after this long (e.g. 90s, 5m). Default: 10m with --exec, none otherwise.")
                .converters(new DurationConverter()).build());
        return spec;
    }

    private static OptionSpec.Builder option(String name, String paramLabel, Class<?> type, int order, String description) {
        return OptionSpec.builder(name).paramLabel(paramLabel).type(type).order(order).description(description);
    }

    /** This command's values from a parse of {@link #spec()}. */
    static LinuxVmCli from(CommandSpec spec) {
        LinuxVmCli cli = new LinuxVmCli();
        cli.kernel = spec.findOption("--kernel").getValue();
        cli.initrd = spec.findOption("--initrd").getValue();
        cli.cmdline = spec.findOption("--cmdline").getValue();
        Boolean dt = spec.findOption("--device-tree").getValue();
        cli.deviceTree = dt != null && dt;
        cli.arch = spec.findOption("--arch").getValue();
        cli.memoryMib = spec.findOption("--memory").<Integer>getValue();
        cli.cpus = spec.findOption("--cpus").<Integer>getValue();
        cli.backend = spec.findOption("--backend").getValue();
        cli.exec = spec.findOption("--exec").getValue();
        cli.timeout = spec.findOption("--timeout").getValue();
        return cli;
    }

    /** Runs the CLI on the process's terminal and exits with its status. */
    public static void main(String[] args) {
        // Our options convert with their own converters (PathConverter and the others); picocli's
        // reflective ones for java.* types (java.time, java.sql, java.nio.file.Path) would load
        // and link classes no option uses: 10 ms of every start, measured.
        if (System.getProperty(PICOCLI_CONVERTER_EXCLUDES) == null) {
            System.setProperty(PICOCLI_CONVERTER_EXCLUDES, "java\\..*");
        }
        // NIO's selector provider named rather than looked up: the lookup (the class path scanned
        // for another provider) costs 4 ms of CPU at the first Unix socket, while QEMU starts. The
        // one named is what the lookup finds on Linux, the JDK's own default there.
        if (System.getProperty(SELECTOR_PROVIDER) == null && "Linux".equals(System.getProperty("os.name"))) {
            System.setProperty(SELECTOR_PROVIDER, "sun.nio.ch.EPollSelectorProvider");
        }
        // stdin through a FileChannel, closed before exit: closing it wakes the console pump out of
        // its read(2), else HotSpot's exit waits 300 ms for that thread in native code
        // (VM_Exit::wait_for_threads_in_native_to_block) whenever stdin is a pipe or a terminal
        FileChannel stdin = new FileInputStream(FileDescriptor.in).getChannel();
        int status = run(args, Channels.newInputStream(stdin), System.out, System.err, interactiveTerminal());
        System.out.flush();
        try {
            stdin.close();
        } catch (IOException e) {
            // exiting anyway
        }
        System.exit(status);
    }

    /** Runs the CLI non-interactively (console streamed to {@code out}); returns the exit status. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, in, out, err, false);
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, boolean interactive) {
        // From a first look at the arguments, QEMU starts and the guest is prepared and started
        // (its console held) before picocli parses them; boot() takes that guest if the parse asks
        // for the same, else stops and releases it
        LinuxVmCli guess = guess(args);
        try (Launcher.Guess guessed = guess == null ? null : guess.prepareAhead(progress(err))) {
            if (guessed != null) {
                // the parse after the guessed guest's start, not beside it: its CPU then goes on
                // the core the booting guest leaves free, not on the start's (14 ms sooner to
                // the kernel's first line, measured)
                guessed.awaitBoot();
            }
            return run(args, in, out, err, interactive, guess, guessed);
        }
    }

    private static Consumer<String> progress(PrintStream err) {
        return line -> err.println("linuxvm: " + line.strip());
    }

    /**
     * The executor for the machine {@code args} ask for, started before picocli parses them; null
     * when {@link #guess} cannot read them or the machine is not a valid one.
     */
    static Launcher.Early startEarly(String[] args) {
        LinuxVmCli g = guess(args);
        return g == null ? null : g.startEarly();
    }

    private Launcher.Early startEarly() {
        Arch guestArch = arch != null ? arch : Arch.host();
        return guestArch == null ? null : Launcher.Early.start(guestArch, backend, memoryMib, cpus,
                kernel != null ? new LaunchRequest.Kernel.File(kernel) : new LaunchRequest.Kernel.Provisioned());
    }

    /** {@link #startEarly()}, then this request prepared on a thread of its own; null when nothing starts. */
    private Launcher.Guess prepareAhead(Consumer<String> progress) {
        Launcher.Early early = startEarly();
        return early == null ? null : Launcher.Guess.start(request(), progress, early);
    }

    /**
     * The options {@code args} hold, read without picocli, or null when they hold anything but
     * the long options of {@link #EARLY_OPTIONS} (each with its value, as {@code --name value} or
     * {@code --name=value}) and {@code --device-tree}, or a value that does not convert. Values
     * convert as the parse converts them, so that when picocli accepts the arguments too, both
     * ask for the same request ({@code LinuxVmCliGuessTest} checks); --timeout is not part of it.
     */
    static LinuxVmCli guess(String[] args) {
        LinuxVmCli g = new LinuxVmCli();
        g.memoryMib = DEFAULT_MEMORY_MIB;
        g.cpus = DEFAULT_CPUS;
        g.backend = BackendChoice.AUTO;
        try {
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                String value = null;
                int eq = name.indexOf('=');
                if (name.startsWith("--") && eq > 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (name.equals("--device-tree") && value == null) {
                    g.deviceTree = true;
                    continue;
                }
                if (!EARLY_OPTIONS.contains(name)) {
                    return null;
                }
                if (value == null) {
                    if (++i == args.length) {
                        return null;
                    }
                    value = args[i];
                }
                switch (name) {
                    case "--kernel" -> g.kernel = Path.of(value);
                    case "--initrd" -> g.initrd = Path.of(value);
                    case "--cmdline" -> g.cmdline = value;
                    case "--arch" -> g.arch = Arch.parse(value);
                    case "--memory" -> g.memoryMib = Integer.parseInt(value);
                    case "--cpus" -> g.cpus = Integer.parseInt(value);
                    case "--backend" -> g.backend = BackendChoice.valueOf(value.toUpperCase(Locale.ROOT));
                    case "--exec" -> g.exec = value;
                    case "--timeout" -> {
                        // checked by the parse; the request does not depend on it
                    }
                    default -> throw new IllegalStateException(name + " is an early option without a case here");
                }
            }
        } catch (IllegalArgumentException e) { // InvalidPathException and NumberFormatException too
            return null;
        }
        return g;
    }

    /**
     * Whether {@link #request()} is {@code other}'s, field by field: not through LaunchRequest's
     * record equals, whose first call links a method handle per component (15 ms of the start).
     */
    boolean asksAsMuchAs(LinuxVmCli other) {
        return Objects.equals(kernel, other.kernel) && Objects.equals(initrd, other.initrd)
                && Objects.equals(cmdline, other.cmdline) && deviceTree == other.deviceTree && arch == other.arch
                && memoryMib == other.memoryMib && cpus == other.cpus && backend == other.backend
                && Objects.equals(exec, other.exec);
    }

    /** What this run asks {@link Launcher#prepare} for. */
    LaunchRequest request() {
        Arch guestArch = arch != null ? arch : Arch.host();
        BootMode mode = deviceTree ? BootMode.DEVICE_TREE : BootMode.ACPI;
        // without --kernel, or with --exec, the provisioned initramfs unless --initrd names one
        LaunchRequest.Initrd initrdChoice = initrd != null ? new LaunchRequest.Initrd.File(initrd)
                : kernel == null || exec != null ? new LaunchRequest.Initrd.Provisioned() : new LaunchRequest.Initrd.None();
        return LaunchRequest.of(guestArch).withMode(mode).withKernel(kernel).withInitrd(initrdChoice).withCmdline(cmdline)
                .withExec(exec).withMemoryMib(memoryMib).withCpus(cpus).withBackend(backend);
    }

    private static int run(String[] args, InputStream in, PrintStream out, PrintStream err, boolean interactive,
                           LinuxVmCli guess, Launcher.Guess guessed) {
        CommandSpec spec = spec();
        CommandLine cmd = new CommandLine(spec);
        try {
            cmd.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            err.println("linuxvm: error: " + oneLine(e.getMessage()) + " (see linuxvm --help)");
            return ExitStatus.BAD_INPUT;
        }
        if (cmd.isUsageHelpRequested()) {
            cmd.usage(out);
            return ExitStatus.OK;
        }
        if (cmd.isVersionHelpRequested()) {
            cmd.printVersionHelp(out);
            return ExitStatus.OK;
        }
        LinuxVmCli cli = from(spec);
        try {
            Launcher.Guess same = guessed;
            if (guessed != null && !cli.asksAsMuchAs(guess)) {
                guessed.close(); // another guest: the guessed one (and its QEMU) goes before that one starts
                same = null;
            }
            Outcome o = cli.boot(in, out, err, interactive, same);
            if (o.message() != null) {
                err.println("linuxvm: " + o.message());
            }
            return o.status();
        } catch (VmmException e) {
            String what = switch (e.kind()) {
                case BAD_INPUT -> "error";
                case HOST_ENVIRONMENT -> "cannot run here";
                case GUEST_FAILURE -> "guest failed";
                case INTERNAL -> "internal error";
            };
            err.println("linuxvm: " + what + ": " + oneLine(e.getMessage()));
            return ExitStatus.of(e.kind());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("linuxvm: interrupted; the guest was stopped");
            return 130; // 128 + SIGINT, as shells report it
        } catch (RuntimeException e) {
            err.println("linuxvm: internal error: " + oneLine(String.valueOf(e)));
            return ExitStatus.INTERNAL_ERROR;
        }
    }

    /** The exit status and the one stderr line (without the "linuxvm: " prefix), or no line. */
    record Outcome(int status, String message) {
    }

    /** Boots the guest {@code guessed} prepared for this run's request (may be null: prepares it). */
    private Outcome boot(InputStream in, PrintStream out, PrintStream err, boolean interactive, Launcher.Guess guessed)
            throws InterruptedException {
        Arch guestArch = arch != null ? arch : Arch.host();
        if (guestArch == null) {
            throw new VmmException(VmmException.Kind.HOST_ENVIRONMENT, "cannot tell the host architecture (os.arch="
                    + System.getProperty("os.arch") + "): pass --arch x86_64 or --arch aarch64");
        }
        BootMode mode = deviceTree ? BootMode.DEVICE_TREE : BootMode.ACPI;
        LaunchRequest request = request();
        Launcher.Booted booted = guessed == null ? null : guessed.take();
        if (booted != null) {
            try (booted) {
                return boot(booted.prepared(), booted::attach, guestArch, mode, interactive, in, out, err);
            }
        }
        try (Launcher.Prepared guest = Launcher.prepare(request, progress(err), (Launcher.Early) null)) {
            return boot(guest, guest::start, guestArch, mode, interactive, in, out, err);
        }
    }

    /** {@code starter} starts {@code guest} (or hands it over, already started) with its console going to a listener. */
    private Outcome boot(Launcher.Prepared guest, Function<ConsoleListener, RunningVm> starter, Arch guestArch, BootMode mode,
                         boolean interactive, InputStream in, PrintStream out, PrintStream err) throws InterruptedException {
        BackendSelector.Selection selection = guest.selection();
        err.println("linuxvm: booting " + guest.kernel()
                + (guest.initrd() == null ? " without initrd" : " with " + guest.initrd().getFileName())
                + (exec == null ? "" : " + exec overlay")
                + " (" + guestArch + ", " + mode.displayName() + ", " + memoryMib + " MiB, " + cpus
                + (cpus == 1 ? " vCPU" : " vCPUs") + ") on " + selection.name() + ": " + selection.reason());
        selection.warning().ifPresent(w -> err.println("linuxvm: warning: " + w));
        Duration limit = timeout != null ? timeout : exec != null ? DEFAULT_EXEC_TIMEOUT : null;
        // Piped input into our initramfs waits for its userspace (see ConsoleInputPump); a terminal
        // user sees the boot and types when ready, and another initrd has no marker to wait for.
        boolean gateOnUserspace = !interactive && initrd == null;
        return runConsole(starter, limit, gateOnUserspace, in, out, err, interactive);
    }

    private Outcome runConsole(Function<ConsoleListener, RunningVm> starter, Duration limit,
                               boolean gateOnUserspace, InputStream in, PrintStream out, PrintStream err, boolean interactive)
            throws InterruptedException {
        ConsoleWatcher console = new ConsoleWatcher(out);
        AtomicBoolean quit = new AtomicBoolean();
        RawTerminal raw = null;
        if (interactive) {
            err.println("linuxvm: Ctrl-A x to quit");
            try {
                raw = RawTerminal.enter();
            } catch (IOException e) {
                err.println("linuxvm: cannot put the terminal in raw mode (" + e.getMessage()
                        + "): input is line-buffered and Ctrl-C stops linuxvm");
            }
        }
        boolean timedOut = false;
        boolean panicStopped = false;
        VmExit exit;
        Thread closer = null;
        try (RunningVm vm = starter.apply(console)) {
            closer = new Thread(vm::close, "linuxvm-cli-shutdown");
            Runtime.getRuntime().addShutdownHook(closer);
            ConsoleInputPump.Gate gate = gateOnUserspace ? console::awaitUserspace : () -> { };
            new ConsoleInputPump(in, vm.consoleInput(), raw != null, () -> quit.set(true), gate).start();
            long start = System.nanoTime();
            while (true) {
                var ended = vm.awaitExit(POLL);
                if (ended.isPresent()) {
                    exit = ended.get();
                    break;
                }
                long now = System.nanoTime();
                long panicEnd = console.panicEndNanos();
                if (quit.get()) {
                    panicStopped = false;
                } else if (panicEnd != 0 && now - panicEnd > PANIC_GRACE.toNanos()) {
                    panicStopped = true;
                } else if (limit != null && now - start > limit.toNanos()) {
                    timedOut = true;
                } else {
                    continue;
                }
                vm.close();
                exit = vm.exit().orElse(new VmExit.Stopped("closed by the host"));
                break;
            }
        } finally {
            if (closer != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(closer);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down; the hook closes the VM (idempotent)
                }
            }
            if (raw != null) {
                raw.close();
                err.println();
            }
        }
        return outcome(exit, console, limit, timedOut, quit.get() && !panicStopped && !timedOut);
    }

    private Outcome outcome(VmExit exit, ConsoleWatcher console, Duration limit, boolean timedOut, boolean quit) {
        String panic = console.panicLine();
        if (panic != null) {
            return new Outcome(ExitStatus.GUEST_FAILED, "kernel panic: " + panic);
        }
        if (timedOut) {
            String last = console.lastLine();
            return new Outcome(ExitStatus.TIMEOUT, "timed out after " + DurationConverter.format(limit)
                    + ": last console line: " + (last.isEmpty() ? "(no console output)" : last));
        }
        if (quit) {
            return new Outcome(ExitStatus.OK, "stopped by Ctrl-A x");
        }
        if (exit instanceof VmExit.PoweredOff) {
            if (exec == null) {
                return new Outcome(ExitStatus.OK, null);
            }
            OptionalInt status = console.execStatus();
            if (status.isPresent()) {
                return new Outcome(status.getAsInt(), null);
            }
            return new Outcome(ExitStatus.GUEST_FAILED, "the guest powered off without reporting the --exec status"
                    + " (no '" + GuestInitramfs.EXIT_MARKER_PREFIX + "N' line): does the initrd run /linuxvm/exec?");
        }
        if (exit instanceof VmExit.Reset) {
            return new Outcome(ExitStatus.GUEST_FAILED, "the guest reset: last console line: " + console.lastLine());
        }
        return new Outcome(ExitStatus.GUEST_FAILED, "the guest " + exit.describe());
    }

    /** Interactive when stdin and stdout are a terminal and this is not a CI job. */
    static boolean interactiveTerminal() {
        String ci = System.getenv("CI");
        boolean inCi = ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
        return System.console() != null && !inCi;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** picocli's system property: regular expressions of the types whose built-in converter it skips. */
    static final String PICOCLI_CONVERTER_EXCLUDES = "picocli.converters.excludes";
    private static final String SELECTOR_PROVIDER = "java.nio.channels.spi.SelectorProvider";

    /** A path, as picocli's own converter would give it, without its reflective lookup. */
    static final class PathConverter implements CommandLine.ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            try {
                return Path.of(value);
            } catch (InvalidPathException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a valid path: " + e.getReason());
            }
        }
    }

    static final class ArchConverter implements CommandLine.ITypeConverter<Arch> {
        @Override
        public Arch convert(String value) {
            try {
                return Arch.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class BackendConverter implements CommandLine.ITypeConverter<BackendChoice> {
        @Override
        public BackendChoice convert(String value) {
            try {
                return BackendChoice.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a backend: use auto, kvm or qemu");
            }
        }
    }

    /** The project version, from a resource Maven filters at build time. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = LinuxVmCli.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"linuxvm " + p.getProperty("version", "(unknown version)")
                    + " (Java " + Runtime.version() + ", " + System.getProperty("os.arch") + ")"};
        }
    }
}
