package dev.linuxvm.launcher;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.Background;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.launch.BackendChoice;
import dev.linuxvm.engine.launch.BackendSelector;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.launch.DefaultCmdline;
import dev.linuxvm.engine.launch.GuestFactory;
import dev.linuxvm.engine.launch.GuestSpec;
import dev.linuxvm.kernels.DataPortModules;
import dev.linuxvm.kernels.GuestInitramfs;
import dev.linuxvm.kernels.KunitKernel;
import dev.linuxvm.kernels.KunitKernels;
import dev.linuxvm.kernels.ProvisioningException;
import dev.linuxvm.kernels.TestKernel;
import dev.linuxvm.kernels.TestKernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The one launch path, shared by the CLI and the JUnit extension. It lives beside the
 * provisioning because the engine must not depend on it.
 *
 * <p>{@link #prepare}:
 * <ol>
 *   <li>validate what costs nothing (the {@link GuestSpec} rules, a blank exec command, the guest files);</li>
 *   <li>choose the executor ({@link BackendSelector}); when none can run the guest, remember why;</li>
 *   <li>resolve the kernel and the initramfs, provisioning the test guest (or building the KUnit
 *       kernel, {@link LaunchRequest.Kernel.Kunit}) when one is needed;</li>
 *   <li>read the initramfs and append the overlays: the request's files and modules
 *       ({@link GuestFilesOverlay}; modules go under the provisioned kernel's release, or the one in
 *       the kernel file's banner), with the data port's modules ({@link DataPortModules}) when the
 *       request asks for the data port and the executor provides it, then the exec command;</li>
 *   <li>pick the command line: the request's, or {@link DefaultCmdline} for the executor;</li>
 *   <li>build the {@link GuestImage} ({@link GuestFactory});</li>
 *   <li>only now report a missing executor: an input error is the more specific message.</li>
 * </ol>
 * {@link Prepared#start} then starts it on the chosen executor. With {@code startAhead}, the
 * executor gets ready for the guest ({@link dev.linuxvm.engine.backend.Backend#prestart}: the
 * QEMU executor starts its process) on another thread from step 2 on, while steps 3–6 run; the
 * {@link Prepared} then owns that and must be started or closed.
 */
public final class Launcher {
    private Launcher() {
    }

    /**
     * A guest ready to start.
     *
     * @param selection the executor and why it was chosen
     * @param kernel    the kernel file that will boot
     * @param initrd    the initramfs file used (before any exec overlay), or {@code null}
     * @param image     the engine-built guest
     */
    public record Prepared(BackendSelector.Selection selection, Path kernel, Path initrd, GuestImage image,
                           Ahead ahead) implements AutoCloseable {
        public Prepared(BackendSelector.Selection selection, Path kernel, Path initrd, GuestImage image) {
            this(selection, kernel, initrd, image, null);
        }

        /** Starts the guest; console output goes to {@code console} from the backend's thread. */
        public RunningVm start(ConsoleListener console) {
            return ahead != null ? ahead.take().start(image, console) : selection.backend().start(image, console);
        }

        /** Releases what was started ahead and not used (nothing otherwise). */
        @Override
        public void close() {
            if (ahead != null) {
                ahead.close();
            }
        }
    }

    /** A {@link Backend.Prestart} being made on its own thread. */
    static final class Ahead implements AutoCloseable {
        private final CompletableFuture<Backend.Prestart> future;

        Ahead(Backend backend, Arch arch, int memoryMib, int cpus, boolean dataPort, LaunchRequest.Kernel kernel) {
            this(() -> prestart(backend, arch, memoryMib, cpus, dataPort, kernelHint(arch, kernel)));
        }

        /** Runs {@code prestart} on a thread of its own. */
        Ahead(Callable<Backend.Prestart> prestart) {
            future = Background.call("linuxvm-start-ahead", prestart);
        }

        static Backend.Prestart prestart(Backend backend, Arch arch, int memoryMib, int cpus, boolean dataPort, Path kernel) {
            return backend.prestart(arch, memoryMib * (1L << 20), cpus, dataPort, kernel);
        }

        /**
         * The kernel file {@code kernel} will most likely be, found without waiting for anything
         * (the provisioned one: its cache entry, unverified and unlocked); null for a KUnit kernel
         * or none cached. Only a hint for the executor, which checks what the image holds.
         */
        static Path kernelHint(Arch arch, LaunchRequest.Kernel kernel) {
            if (kernel instanceof LaunchRequest.Kernel.File f) {
                return f.path();
            }
            return kernel instanceof LaunchRequest.Kernel.Provisioned ? TestKernels.fromEnvironment(line -> { }).kernelHint(arch) : null;
        }

        /**
         * Has the prestart {@link Backend.Prestart#preload preload} {@code regions} once it is
         * ready, without waiting for it here.
         */
        void preload(List<MemoryRegion> regions) {
            future.thenAccept(p -> p.preload(regions));
        }

        /** The prestart, once ready; a failure to get ready is the start's failure. */
        Backend.Prestart take() {
            return Background.join(future);
        }

        /** Waits for the prestart to be ready, then releases it: nothing started ahead outlives its owner. */
        @Override
        public void close() {
            try {
                future.join().close();
            } catch (RuntimeException e) {
                // it failed to get ready: nothing to release
            }
        }
    }

    /** See the class comment; {@code progress} receives provisioning status lines. */
    public static Prepared prepare(LaunchRequest request, Consumer<String> progress) {
        return prepare(request, progress, false);
    }

    /** See the class comment; {@code progress} receives provisioning status lines. */
    public static Prepared prepare(LaunchRequest request, Consumer<String> progress, boolean startAhead) {
        return prepare(request, progress, startAhead, null);
    }

    /**
     * {@link #prepare(LaunchRequest, Consumer, boolean)} with start ahead, using {@code early}
     * (may be null) when it was started for this request's machine, else releasing it.
     */
    public static Prepared prepare(LaunchRequest request, Consumer<String> progress, Early early) {
        return prepare(request, progress, true, early);
    }

    private static Prepared prepare(LaunchRequest request, Consumer<String> progress, boolean startAhead, Early early) {
        return prepare(request, progress, startAhead, early, true);
    }

    /** {@code mayProvision} false: {@link NotProvisioned} instead of provisioning the default guest. */
    private static Prepared prepare(LaunchRequest request, Consumer<String> progress, boolean startAhead, Early early,
                                    boolean mayProvision) {
        Ahead ahead = null;
        try {
            // 1.
            new GuestSpec(request.arch(), request.mode(), request.kernelFile().orElse(Path.of("provisioned")), null, "",
                    request.memoryMib(), request.cpus());
            if (request.exec().filter(String::isBlank).isPresent()) {
                throw new VmmException(VmmException.Kind.BAD_INPUT, "--exec needs a shell command, got an empty string");
            }
            GuestFilesOverlay.check(request.files(), request.modules());
            // 2.
            BackendSelector.Selection selection = null;
            VmmException noExecutor = null;
            if (early != null && early.machineOf(request) && early.selection() != null) {
                selection = early.selection();
                ahead = early.handOver();
            } else {
                try {
                    selection = BackendSelector.select(request.arch(), request.backend());
                } catch (VmmException e) {
                    noExecutor = e;
                }
                ahead = startAhead && selection != null
                        ? new Ahead(selection.backend(), request.arch(), request.memoryMib(), request.cpus(),
                        request.dataPort() && selection.backend().supportsDataPort(), request.kernel())
                        : null;
            }
            return prepare(request, progress, selection, noExecutor, ahead, mayProvision);
        } catch (RuntimeException | Error e) {
            if (ahead != null) {
                ahead.close();
            }
            throw e;
        } finally {
            if (early != null) {
                early.close(); // unused: released; handed over: nothing left to release
            }
        }
    }

    /**
     * An executor made ready before the request is known in full: the CLI starts one from a first
     * look at its arguments, so that QEMU starts while picocli parses them (30 ms of the CLI's
     * start). {@link #prepare(LaunchRequest, Consumer, Early)} takes it over when the request asks
     * for the same machine (architecture, executor choice, RAM, vCPUs, no data port) and
     * releases it otherwise; whoever does not hand it to {@code prepare} closes it.
     */
    public static final class Early implements AutoCloseable {
        private final Arch arch;
        private final BackendChoice backend;
        private final int memoryMib;
        private final int cpus;
        private final CompletableFuture<BackendSelector.Selection> selection = new CompletableFuture<>();
        private Ahead ahead;

        private Early(Arch arch, BackendChoice backend, int memoryMib, int cpus, LaunchRequest.Kernel kernel) {
            this.arch = arch;
            this.backend = backend;
            this.memoryMib = memoryMib;
            this.cpus = cpus;
            // the executor is chosen on the start-ahead thread too: probing the QEMU executor the
            // first time costs 10 ms, which the main thread spends parsing the arguments instead
            this.ahead = new Ahead(() -> {
                BackendSelector.Selection s;
                try {
                    s = BackendSelector.select(arch, backend);
                } catch (RuntimeException e) {
                    selection.completeExceptionally(e);
                    throw e;
                }
                selection.complete(s);
                return Ahead.prestart(s.backend(), arch, memoryMib, cpus, false, Ahead.kernelHint(arch, kernel));
            });
        }

        /**
         * Starts the executor {@code backend} selects for this machine, or returns null when the
         * machine is not a valid one. When no executor can run it, the early start comes to
         * nothing ({@link #selection()} is null) and {@link #prepare} says why.
         */
        public static Early start(Arch arch, BackendChoice backend, int memoryMib, int cpus) {
            return start(arch, backend, memoryMib, cpus, new LaunchRequest.Kernel.Provisioned());
        }

        /** {@link #start(Arch, BackendChoice, int, int)} for a guest that will most likely boot {@code kernel}. */
        public static Early start(Arch arch, BackendChoice backend, int memoryMib, int cpus, LaunchRequest.Kernel kernel) {
            try {
                new GuestSpec(arch, BootMode.ACPI, Path.of("provisioned"), null, "", memoryMib, cpus);
            } catch (RuntimeException e) {
                return null;
            }
            return new Early(arch, backend, memoryMib, cpus, kernel);
        }

        /** The executor chosen, once chosen; null when none could be. */
        BackendSelector.Selection selection() {
            try {
                return selection.join();
            } catch (CompletionException e) {
                return null;
            }
        }

        boolean machineOf(LaunchRequest request) {
            return request.arch() == arch && request.backend() == backend && request.memoryMib() == memoryMib
                    && request.cpus() == cpus && !request.dataPort() && ahead != null;
        }

        Ahead handOver() {
            Ahead a = ahead;
            ahead = null;
            return a;
        }

        /** Releases the executor unless it was handed over (then nothing). */
        @Override
        public void close() {
            Ahead a = handOver();
            if (a != null) {
                a.close();
            }
        }
    }

    /**
     * {@link #prepare(LaunchRequest, Consumer, Early)} on a thread of its own, for a request read
     * from a first look at the CLI's arguments, then {@link Prepared#start started} there with its
     * console output held ({@link Booted}): the guest is provisioned, built and running before
     * picocli parses the arguments, whose 20 ms of CPU would otherwise compete for the host's cores
     * with the guest's preparation and QEMU's start. The CLI takes the booted guest when the parsed
     * arguments ask for the guessed request, and releases it otherwise: until it is taken, nothing
     * of the guest is seen.
     */
    public static final class Guess implements AutoCloseable {
        private final CompletableFuture<Booted> booted;
        private boolean done;

        private Guess(CompletableFuture<Booted> booted) {
            this.booted = booted;
        }

        /** Starts preparing and booting {@code request} with {@code early} (which it takes over or releases). */
        public static Guess start(LaunchRequest request, Consumer<String> progress, Early early) {
            // no provisioning on a guess: a usage error would wait for it, and its progress
            // lines would interleave with the parse's message
            return new Guess(Background.call("linuxvm-prepare-ahead", () -> Booted.boot(prepare(request, progress, true, early, false))));
        }

        /**
         * Waits until the guessed guest is booted, or its preparation or start has failed, or it
         * turned out not to be provisioned: what the caller does next then no longer competes
         * with it for the host's cores.
         */
        public void awaitBoot() {
            try {
                booted.join();
            } catch (CompletionException e) {
                // take() reports it
            }
        }

        /**
         * The guessed guest, booted, for a caller whose request turned out to be the guessed one
         * (a failure to prepare it is thrown here, as {@link #prepare} would throw it; a failure to
         * start it by {@link Booted#attach}); null when the default guest is not provisioned yet:
         * the caller prepares it then, with the provisioning's progress. Once only; the caller owns
         * the guest.
         */
        public synchronized Booted take() {
            if (done) {
                throw new IllegalStateException("the guessed guest was already taken or released");
            }
            done = true;
            try {
                return Background.join(booted);
            } catch (NotProvisioned e) {
                return null;
            }
        }

        /** Waits for the guessed guest, then stops and releases it, unless it was taken. */
        @Override
        public synchronized void close() {
            if (done) {
                return;
            }
            done = true;
            try {
                booted.join().close();
            } catch (CompletionException e) {
                // it failed to prepare: nothing to release
            }
        }
    }

    /**
     * A prepared guest started before anyone listens to it: its console output is held until
     * {@link #attach} hands it on, and a failure to start is kept for {@link #attach} to throw.
     */
    public static final class Booted implements AutoCloseable {
        private final Prepared prepared;
        private final HeldConsole console;
        private final RunningVm vm;
        private final RuntimeException failure;

        private Booted(Prepared prepared, HeldConsole console, RunningVm vm, RuntimeException failure) {
            this.prepared = prepared;
            this.console = console;
            this.vm = vm;
            this.failure = failure;
        }

        /** Starts {@code prepared} with its console held; a failure to start is kept, not thrown. */
        static Booted boot(Prepared prepared) {
            HeldConsole console = new HeldConsole();
            RunningVm vm;
            try {
                vm = prepared.start(console);
            } catch (RuntimeException e) {
                return new Booted(prepared, console, null, e);
            }
            return new Booted(prepared, console, vm, null);
        }

        /** The guest as prepared. */
        public Prepared prepared() {
            return prepared;
        }

        /** The console output held so far (for tests). */
        String held() {
            return console.held();
        }

        /**
         * The running guest, its console output so far and from now on going to {@code listener};
         * the caller closes it. Throws what {@link Prepared#start} threw when the guest did not
         * start.
         */
        public RunningVm attach(ConsoleListener listener) {
            if (failure != null) {
                throw failure;
            }
            console.attach(listener);
            return vm;
        }

        /** Stops the guest (when it started) and releases what was prepared. */
        @Override
        public void close() {
            try {
                if (vm != null) {
                    vm.close();
                }
            } finally {
                prepared.close();
            }
        }
    }

    private static Prepared prepare(LaunchRequest request, Consumer<String> progress, BackendSelector.Selection selection,
                                     VmmException noExecutor, Ahead ahead, boolean mayProvision) {
        // 3.
        Path kernel;
        Path provisionedInitrd = null;
        String provisionedRelease = null; // the release of a provisioned Debian kernel, for modules
        TestKernel debianKernel = null; // that kernel, whose package has the data port's modules
        if (request.kernel() instanceof LaunchRequest.Kernel.Kunit) {
            KunitKernel kunit = KunitKernels.fromEnvironment(progress).get(request.arch());
            kernel = kunit.kernel();
            provisionedInitrd = kunit.initramfs();
        } else if (request.kernel() instanceof LaunchRequest.Kernel.File f) {
            kernel = f.path();
        } else {
            TestKernel provisioned = provision(request, progress, mayProvision);
            kernel = provisioned.kernel();
            provisionedInitrd = provisioned.initramfs();
            provisionedRelease = TestKernel.CUSTOM.equals(provisioned.kernelRelease()) ? null : provisioned.kernelRelease();
            debianKernel = provisionedRelease == null ? null : provisioned;
        }
        List<GuestModules> modules = new ArrayList<>(request.modules());
        // The tables describe the port only where the executor attaches it: on the KVM backend
        // the guest keeps the serial console for files (RunningVm.dataPort() is empty there).
        boolean dataPort = request.dataPort() && selection != null && selection.backend().supportsDataPort();
        if (request.dataPort() && !dataPort && selection != null) {
            progress.accept("[" + request.arch() + "] the " + selection.name() + " executor has no data port yet:"
                    + " files move over the serial console");
        }
        if (dataPort) {
            if (debianKernel == null) {
                throw new VmmException(VmmException.Kind.BAD_INPUT, "the data port's virtio modules come from the"
                        + " provisioned Debian kernel's package: boot the provisioned kernel, or drop the data port and"
                        + " pass the modules yourself");
            }
            modules.add(new GuestModules(DataPortModules.fromEnvironment(progress).get(debianKernel),
                    Optional.of(provisionedRelease)));
        }
        Path initrd;
        if (request.initrd() instanceof LaunchRequest.Initrd.File f) {
            initrd = f.path();
        } else if (request.initrd() instanceof LaunchRequest.Initrd.Provisioned) {
            initrd = provisionedInitrd != null ? provisionedInitrd : provision(request, progress, mayProvision).initramfs();
        } else {
            initrd = null;
        }
        // 4.
        byte[] initrdBytes = initrd == null ? null : read(initrd);
        // The kernel goes into the guest's memory while the rest is built (the initramfs
        // overlays, the firmware tables).
        GuestFactory.Kernel parsedKernel = GuestFactory.load(request.arch(), kernel);
        if (ahead != null) {
            ahead.preload(parsedKernel.regions());
        }
        if (!request.files().isEmpty() || !modules.isEmpty()) {
            if (initrdBytes == null) {
                throw new VmmException(VmmException.Kind.BAD_INPUT,
                        "guest files and modules travel in an initramfs overlay: they need an initrd");
            }
            String release = modules.stream().allMatch(m -> m.release().isPresent()) ? ""
                    : provisionedRelease != null ? provisionedRelease : KernelRelease.of(kernel);
            initrdBytes = GuestInitramfs.withOverlay(initrdBytes,
                    GuestFilesOverlay.build(request.files(), modules, release));
        }
        if (request.exec().isPresent()) {
            initrdBytes = GuestInitramfs.withOverlay(initrdBytes, GuestInitramfs.execOverlay(request.exec().get()));
        }
        // 5.
        boolean emulated = selection == null || selection.emulated();
        String cmdline = request.cmdline().orElseGet(() -> DefaultCmdline.forArch(request.arch(), emulated));
        // 6.
        GuestImage image = GuestFactory.build(new GuestSpec(request.arch(), request.mode(), kernel, initrdBytes, cmdline,
                request.memoryMib(), request.cpus(), dataPort), parsedKernel);
        // 7.
        if (noExecutor != null) {
            throw noExecutor;
        }
        return new Prepared(selection, kernel, initrd, image, ahead);
    }

    /** A failure is a {@link ProvisioningException}, which is {@link VmmException.Kind#HOST_ENVIRONMENT} itself. */
    private static TestKernel provision(LaunchRequest request, Consumer<String> progress, boolean mayProvision) {
        if (mayProvision) {
            return TestKernels.fromEnvironment(progress).get(request.arch());
        }
        TestKernel cached = TestKernels.fromEnvironment(progress).getIfProvisioned(request.arch());
        if (cached == null) {
            throw new NotProvisioned();
        }
        return cached;
    }

    /** A guess that would have to provision the default guest first: the guess gives up instead. */
    private static final class NotProvisioned extends RuntimeException {
        NotProvisioned() {
            super("the default guest is not provisioned yet", null, false, false);
        }
    }

    private static byte[] read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new VmmException(VmmException.Kind.BAD_INPUT,
                    "initrd " + file + " does not exist or is not a file: check the path");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new VmmException(VmmException.Kind.BAD_INPUT,
                    "cannot read initrd " + file + ": " + e.getMessage() + ": check its permissions");
        } catch (OutOfMemoryError e) {
            throw new VmmException(VmmException.Kind.BAD_INPUT,
                    "initrd " + file + " does not fit in this JVM's heap: pass a smaller file or raise -Xmx");
        }
    }
}
