package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.Background;
import dev.linuxvm.engine.CacheDir;
import dev.linuxvm.engine.boot.x86.LongModeEntry;
import dev.linuxvm.engine.X86BootState;
import dev.linuxvm.engine.DataPort;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.Snapshot;
import dev.linuxvm.engine.backend.qemu.QemuCommandLine.RestoredMachine;
import dev.linuxvm.engine.backend.qemu.QemuCommandLine.Accelerator;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.Optional;

/**
 * The QEMU executor: runs a {@link GuestImage} on {@code qemu-system-x86_64 -M microvm} or
 * {@code qemu-system-aarch64 -M virt} and nothing else (no {@code -kernel}, no {@code -dtb}, no
 * QEMU-built ACPI or DT); see {@link QemuCommandLine} for the command line and {@link QemuVm} for
 * the lifecycle and how exits are told apart.
 *
 * <p>Accelerator: KVM when {@link QemuHost#kvm(Arch)} says /dev/kvm is usable for that guest
 * (same architecture, read/write access, not PVM), else TCG; {@link Builder#tcgOnly()} forces TCG.
 *
 * <p>start():
 * <ol>
 *   <li>resolve the binary ({@link #availability} explains a missing one);</li>
 *   <li>create a private (0700) work directory and write the reset ROM; the regions (and the
 *       arm64 trampoline) go into a RAM file on /dev/shm ({@link QemuCommandLine.Ram.Filled}) when
 *       it has room, else into {@code -device loader} files written now; when the kernel file has
 *       a {@link RamTemplate}, QEMU maps that copy-on-write instead and the other regions are
 *       written into its memory ({@link QemuVm.ProcessFill}); after the first start of a kernel
 *       file its template is made, on a thread of its own;</li>
 *   <li>start QEMU paused ({@code -S}) under the lifeline wrapper; write the RAM file meanwhile;</li>
 *   <li>open QMP's FIFOs, negotiate capabilities, open the serial port's; delete the RAM file
 *       (QEMU has mapped it);</li>
 *   <li>{@code cont}; from here the serial thread feeds the {@link ConsoleListener}.</li>
 * </ol>
 *
 * <p>Snapshots ({@link #startForSnapshot}, {@link RunningVm#snapshot()}, {@link #restore}): the
 * template's RAM is a file in a private directory under {@link Builder#ramRoot} (/dev/shm when
 * it has room), mapped shared; a snapshot is that file plus QEMU's saved device and CPU state;
 * each clone is a new QEMU that maps the file copy-on-write and loads the state (see
 * {@link QemuVm} for the QMP steps and {@link QemuSnapshot} for what it owns).
 */
public final class QemuBackend implements Backend {
    static final String WORK_DIR_PREFIX = "linuxvm-qemu-";
    static final String OWNER_FILE = "owner";
    private final Map<Arch, Path> binaries;
    private final boolean tcgOnly;
    private final Duration startTimeout;
    private final Path workRoot;
    private final Path ramRoot;
    /** Where {@link RamTemplate}s are kept; null: none used, every start copies its kernel. */
    private final Path templateRoot;
    private final List<String> extraArgs;

    private QemuBackend(Builder b) {
        this.binaries = Map.copyOf(b.binaries);
        this.tcgOnly = b.tcgOnly;
        this.startTimeout = b.startTimeout;
        this.workRoot = b.workRoot;
        this.ramRoot = b.ramRoot;
        this.templateRoot = b.templateRootSet ? b.templateRoot : defaultTemplateRoot(System.getenv());
        this.extraArgs = List.copyOf(b.extraArgs);
    }

    /** The system property that moves or turns off the RAM templates; it outranks {@link #TEMPLATES_VARIABLE}. */
    public static final String TEMPLATES_PROPERTY = "linuxvm.ramTemplates";
    /** The environment variable that moves ({@code =DIR}) or turns off ({@code =off}) the RAM templates. */
    public static final String TEMPLATES_VARIABLE = "LINUXVM_RAM_TEMPLATES";

    /**
     * {@code <cache>/ram-templates} ({@link CacheDir}), unless {@link #TEMPLATES_PROPERTY} or
     * {@link #TEMPLATES_VARIABLE} names another directory or {@code off}, or the ptrace policy
     * keeps a process from writing its own child's memory ({@code kernel.yama.ptrace_scope} 2
     * or 3), which a start from a template needs ({@link QemuVm.ProcessFill}).
     */
    static Path defaultTemplateRoot(Map<String, String> env) {
        String chosen = System.getProperty(TEMPLATES_PROPERTY, env.getOrDefault(TEMPLATES_VARIABLE, ""));
        if ("off".equalsIgnoreCase(chosen)) {
            return null;
        }
        try {
            Path scope = Path.of("/proc/sys/kernel/yama/ptrace_scope");
            if (Files.exists(scope) && Integer.parseInt(Files.readString(scope).trim()) >= 2) {
                return null;
            }
        } catch (IOException | NumberFormatException e) {
            return null; // unreadable: not worth finding out at the first start
        }
        return chosen.isBlank() ? CacheDir.of(env).resolve("ram-templates") : Path.of(chosen);
    }

    /** Where this executor keeps its RAM templates, if it uses them. */
    public Optional<Path> templateRoot() {
        return Optional.ofNullable(templateRoot);
    }

    /** The executor with the binaries from the PATH and KVM when usable. */
    public QemuBackend() {
        this(builder());
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "qemu";
    }

    /** The accelerator a guest of {@code arch} would run with on this host. */
    public Accelerator accelerator(Arch arch) {
        return !tcgOnly && QemuHost.kvm(arch).usable() ? Accelerator.KVM : Accelerator.TCG;
    }

    /** The {@code qemu-system-*} binary this executor would run for {@code arch}, if it exists. */
    public Optional<Path> binary(Arch arch) {
        Path configured = binaries.get(arch);
        if (configured != null) {
            return Files.isRegularFile(configured) && Files.isExecutable(configured) ? Optional.of(configured) : Optional.empty();
        }
        return QemuHost.findOnPath(arch);
    }

    @Override
    public Availability availability(Arch arch) {
        Optional<Path> binary = binary(arch);
        if (binary.isEmpty()) {
            Path configured = binaries.get(arch);
            String where = configured != null ? configured + " is not an executable file" : arch.qemuSystemBinary() + " is not on the PATH";
            return Availability.no(where + ": install QEMU for " + arch + " guests with `" + QemuHost.installCommand(arch) + "`");
        }
        Accelerator accel = accelerator(arch);
        String why = accel == Accelerator.KVM ? "KVM" : "TCG (" + (tcgOnly ? "TCG requested" : QemuHost.kvm(arch).reason()) + ")";
        return Availability.yes(binary.get() + " with " + why);
    }

    @Override
    public RunningVm start(GuestImage image, ConsoleListener console) {
        return launch(image, console, false);
    }

    /** The data port is QEMU's own virtio-serial device on the transport the image's tables describe. */
    @Override
    public boolean supportsDataPort() {
        return true;
    }

    /**
     * Starts the guest with its RAM in a file under {@link Builder#ramRoot}, mapped shared, so
     * that its {@link RunningVm#snapshot()} works. The file is the size of the guest's RAM and
     * fills as the guest touches it (tmpfs: host memory).
     */
    @Override
    public RunningVm startForSnapshot(GuestImage image, ConsoleListener console) {
        return launch(image, console, true);
    }

    private RunningVm launch(GuestImage image, ConsoleListener console, boolean forSnapshot) {
        Objects.requireNonNull(console, "console");
        Arch arch = image.arch();
        checkAvailable(arch);
        Path binary = binary(arch).orElseThrow();
        Accelerator accel = accelerator(arch);
        Path workDir = createWorkDir(workRoot);
        Path snapshotDir = null;
        Path ramDir = null;
        try {
            Path kernel = forSnapshot ? null : kernelOf(image);
            RamTemplate ramTemplate = kernel == null ? null : findTemplate(arch, image.ramSize(), kernel);
            if (ramTemplate != null) {
                QemuCommandLine.Ram.Template ram = new QemuCommandLine.Ram.Template(ramTemplate.file());
                QemuCommandLine.Invocation inv = withExtraArgs(QemuCommandLine.build(image, binary, workDir, accel, ram));
                writeFiles(inv, ram, image.ramSize());
                return QemuVm.start(arch, inv, workDir, console, startTimeout, null, null, processFill(ramTemplate, inv, image.ramSize()));
            }
            QemuCommandLine.Ram ram = new QemuCommandLine.Ram.Anonymous();
            QemuVm.Template template = null;
            Path fillRoot = forSnapshot ? null : memoryRoot(image.ramSize());
            if (fillRoot != null) {
                ramDir = createWorkDir(fillRoot);
                ram = new QemuCommandLine.Ram.Filled(ramDir.resolve(QemuSnapshot.RAM_FILE));
            }
            if (forSnapshot) {
                snapshotDir = createWorkDir(ramRoot(image.ramSize()));
                Path ramFile = snapshotDir.resolve(QemuSnapshot.RAM_FILE);
                QemuVm.shellPath(ramFile); // fail now on a path the snapshot could not name
                ram = new QemuCommandLine.Ram.SharedFile(ramFile);
                Path rom = arch == Arch.X86_64 ? snapshotDir.resolve(QemuCommandLine.RESET_ROM) : null;
                template = new QemuVm.Template(snapshotDir,
                        new RestoredMachine(arch, image.cpus(), image.ramSize(), accel, ramFile, rom, image.dataPort()), binary);
            }
            QemuCommandLine.Invocation inv = withExtraArgs(QemuCommandLine.build(image, binary, workDir, accel, ram));
            writeFiles(inv, ram, image.ramSize());
            if (template != null && template.machine().resetRom() != null) {
                // the clones' -bios: a copy the snapshot owns, as the work directory goes with the template
                Files.copy(workDir.resolve(QemuCommandLine.RESET_ROM), template.machine().resetRom());
            }
            QemuVm.RamFill fill = ram instanceof QemuCommandLine.Ram.Filled f
                    ? new QemuVm.RamFill(ramDir, f.file(), inv.ramWrites()) : null;
            RunningVm vm = QemuVm.start(arch, inv, workDir, console, startTimeout, template, null, fill);
            makeTemplateLater(image, kernel);
            return vm;
        } catch (IOException e) {
            QemuVm.deleteTree(workDir);
            deleteIfCreated(snapshotDir);
            deleteIfCreated(ramDir);
            throw new QemuException("writing the guest's memory images to " + workDir + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            QemuVm.deleteTree(workDir);
            deleteIfCreated(snapshotDir);
            deleteIfCreated(ramDir);
            throw e;
        }
    }

    /**
     * Starts QEMU for a guest of this shape now, on {@code -S} with its RAM file sized and empty,
     * so that its start-up (0.05–0.2 s: the process, the machine, the sockets) overlaps the
     * engine's building of the image; {@link Prestart#start} then writes the image into the RAM
     * file, connects and continues. The command line allows this because it depends on the
     * machine alone: the x86 reset ROM takes the kernel entry from RAM
     * ({@link X86ResetRom#ENTRY_SLOT}) and the arm64 trampoline has a fixed address. Where a
     * plain start would not use a RAM file either (no tmpfs big enough), nothing starts ahead.
     */
    @Override
    public Prestart prestart(Arch arch, long ramSize, int cpus, boolean dataPort) {
        return prestart(arch, ramSize, cpus, dataPort, null);
    }

    /**
     * {@link #prestart(Arch, long, int, boolean)}, with QEMU mapping {@code kernel}'s
     * {@link RamTemplate} when there is one: the kernel is then not copied at all.
     */
    @Override
    public Prestart prestart(Arch arch, long ramSize, int cpus, boolean dataPort, Path kernel) {
        checkAvailable(arch);
        RamTemplate ramTemplate = kernel == null ? null : findTemplate(arch, ramSize, kernel);
        Path fillRoot = ramTemplate != null ? null : memoryRoot(ramSize);
        if (fillRoot == null && ramTemplate == null) {
            return Backend.super.prestart(arch, ramSize, cpus, dataPort);
        }
        QemuCommandLine.Machine machine = new QemuCommandLine.Machine(arch, ramSize, cpus,
                dataPort ? Optional.of(DataPort.of(arch)) : Optional.empty());
        // the engine's boot state (LongModeEntry) with any entry: the ROM does not contain it
        X86BootState rom = arch == Arch.X86_64 ? LongModeEntry.at(0) : null;
        Path binary = binary(arch).orElseThrow();
        // Connected on a thread of its own while QEMU starts and the guest is built and filled in.
        CompletableFuture<QemuVm.Spawned> spawning = new CompletableFuture<>();
        CompletableFuture<QemuVm.Connected> connected = Background.call("linuxvm-qemu-connect",
                () -> QemuVm.connect(Background.join(spawning), startTimeout));
        Path workDir = null;
        Path ramDir = null;
        try {
            workDir = createOwnedDir(workRoot); // the sweep of stale ones waits until the guest runs
            QemuCommandLine.Ram ram;
            if (ramTemplate != null) {
                ram = new QemuCommandLine.Ram.Template(ramTemplate.file());
            } else {
                ramDir = createOwnedDir(fillRoot);
                ram = new QemuCommandLine.Ram.Filled(ramDir.resolve(QemuSnapshot.RAM_FILE));
            }
            QemuCommandLine.Invocation inv = withExtraArgs(QemuCommandLine.machine(machine, rom, binary, workDir, accelerator(arch), ram));
            writeFiles(inv, ram, ramSize);
            QemuVm.Spawned spawned = QemuVm.spawn(inv, workDir, ramDir);
            spawning.complete(spawned);
            return new QemuPrestart(machine, rom, ram, ramTemplate, spawned, connected);
        } catch (IOException e) {
            QemuVm.deleteTree(workDir);
            deleteIfCreated(ramDir);
            throw new QemuException("writing the guest's machine files to " + workDir + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (workDir != null) {
                QemuVm.deleteTree(workDir);
            }
            deleteIfCreated(ramDir);
            throw e;
        } finally {
            if (!spawning.isDone()) { // whatever failed: the connecting thread must not wait for a QEMU that never comes
                spawning.completeExceptionally(new QemuException("QEMU was not spawned"));
            }
        }
    }

    /**
     * Writes the files {@code inv} names and sizes a {@link QemuCommandLine.Ram.Filled} RAM file
     * before QEMU maps it (its bytes follow while QEMU starts: {@link QemuVm#start}).
     */
    private static void writeFiles(QemuCommandLine.Invocation inv, QemuCommandLine.Ram ram, long ramSize) throws IOException {
        for (Map.Entry<Path, byte[]> f : inv.files().entrySet()) {
            Files.write(f.getKey(), f.getValue());
        }
        if (ram instanceof QemuCommandLine.Ram.Filled f) {
            try (RandomAccessFile raf = new RandomAccessFile(f.file().toFile(), "rw")) {
                raf.setLength(ramSize);
            }
        }
    }

    /** {@link #prestart}'s QEMU, waiting on {@code -S} for its RAM and its {@code cont}. */
    final class QemuPrestart implements Prestart {
        private final QemuCommandLine.Machine machine;
        private final X86BootState rom;
        /** A {@link QemuCommandLine.Ram.Filled} file, or a {@link QemuCommandLine.Ram.Template}'s. */
        private final QemuCommandLine.Ram ram;
        /** The template QEMU maps; null: the RAM file is filled. */
        private final RamTemplate ramTemplate;
        private final QemuVm.Spawned spawned;
        private final CompletableFuture<QemuVm.Connected> connected;
        private boolean used;
        /** What {@link #preload} writes, and its end. */
        private List<QemuCommandLine.RamWrite> preloaded = List.of();
        private CompletableFuture<Void> preloading = CompletableFuture.completedFuture(null);

        QemuPrestart(QemuCommandLine.Machine machine, X86BootState rom, QemuCommandLine.Ram ram, RamTemplate ramTemplate,
                     QemuVm.Spawned spawned, CompletableFuture<QemuVm.Connected> connected) {
            this.machine = machine;
            this.rom = rom;
            this.ram = ram;
            this.ramTemplate = ramTemplate;
            this.spawned = spawned;
            this.connected = connected;
        }

        @Override
        public synchronized RunningVm start(GuestImage image, ConsoleListener console) {
            Objects.requireNonNull(console, "console");
            if (used) {
                throw new IllegalStateException("this prestarted QEMU was already started or closed");
            }
            QemuCommandLine.Machine shape = QemuCommandLine.Machine.of(image);
            if (!shape.sameAs(machine)) {
                throw new IllegalArgumentException("the image is a " + shape + ", but QEMU was started ahead for a " + machine);
            }
            X86BootState state = image.bootState().match(s -> s, arm64 -> null);
            if (rom != null && !X86ResetRom.sameRom(state, rom)) {
                throw new IllegalArgumentException("the image's boot state " + state + " needs another reset ROM than the"
                        + " engine's, which QEMU was started ahead with");
            }
            used = true;
            QemuCommandLine.Invocation loads;
            QemuVm.ProcessFill processFill = null;
            try {
                loads = QemuCommandLine.loads(image, spawned.workDir(), ram);
                if (ramTemplate != null) {
                    processFill = processFill(ramTemplate, loads, image.ramSize());
                }
            } catch (RuntimeException e) {
                release();
                throw e;
            }
            if (processFill != null) {
                RunningVm vm = QemuVm.start(spawned, image.arch(), console, startTimeout, null, null, processFill, connected);
                sweep();
                return vm;
            }
            List<QemuCommandLine.RamWrite> writes;
            try {
                writes = notPreloaded(loads.ramWrites());
            } catch (RuntimeException e) {
                release();
                throw e;
            }
            RunningVm vm = QemuVm.start(spawned, image.arch(), console, startTimeout, null, null,
                    new QemuVm.RamFill(spawned.fillDir(), ((QemuCommandLine.Ram.Filled) ram).file(), writes), connected);
            sweep(); // while the guest boots: the sweep is not on the way to it
            makeTemplateLater(image, kernelOf(image));
            return vm;
        }

        /**
         * Waits for the preload's writes, ends QEMU, then closes what the connecting thread
         * connected (it gives up once QEMU is gone).
         */
        private void release() {
            try {
                preloading.join(); // its writes end before the RAM file goes
            } catch (CompletionException e) {
                // failed: nothing more to wait for
            }
            spawned.kill();
            try {
                connected.join().close();
            } catch (CompletionException e) {
                // nothing connected
            }
        }

        /** Writes the file-backed {@code regions} into the RAM file on a thread of its own. */
        @Override
        public synchronized void preload(List<MemoryRegion> regions) {
            if (used || !preloaded.isEmpty() || ramTemplate != null) {
                return; // a template holds the kernel already
            }
            List<QemuCommandLine.RamWrite> writes = new ArrayList<>();
            try {
                for (MemoryRegion r : regions) {
                    if (r.file().isPresent()) {
                        writes.add(QemuCommandLine.RamWrite.of(
                                QemuCommandLine.ramFileOffset(machine.arch(), machine.ramSize(), r.address(), r.length()), r));
                    }
                }
            } catch (RuntimeException e) {
                return; // outside RAM: start() places the image and says what is wrong
            }
            preloaded = List.copyOf(writes);
            QemuVm.RamFill fill = new QemuVm.RamFill(spawned.fillDir(), ((QemuCommandLine.Ram.Filled) ram).file(), preloaded);
            preloading = Background.call("linuxvm-ram-preload", () -> {
                fill.write();
                return null;
            });
        }

        /**
         * The writes of {@code all} that {@link #preload} has not made, once it has ended; all of
         * them when it failed.
         *
         * @throws IllegalArgumentException when it wrote something {@code all} does not hold
         */
        private List<QemuCommandLine.RamWrite> notPreloaded(List<QemuCommandLine.RamWrite> all) {
            if (preloaded.isEmpty()) {
                return all;
            }
            try {
                preloading.join();
            } catch (CompletionException e) {
                return all; // written again in full: what it wrote is overwritten
            }
            List<QemuCommandLine.RamWrite> rest = new ArrayList<>(all);
            for (QemuCommandLine.RamWrite p : preloaded) {
                if (!rest.removeIf(w -> QemuVm.RamFill.same(w, p))) {
                    throw new IllegalArgumentException("the regions written ahead are not the image's: " + p.file().orElseThrow()
                            + " at RAM offset 0x" + Long.toHexString(p.offset()));
                }
            }
            return rest;
        }

        private void sweep() {
            deleteStaleWorkDirs(spawned.workDir().getParent());
            if (spawned.fillDir() != null) {
                deleteStaleWorkDirs(spawned.fillDir().getParent());
            }
        }

        /** Waits until what {@link #preload} writes is written (for tests). */
        void awaitPreload() {
            preloading.join();
        }

        /** The QEMU started ahead (for tests). */
        QemuVm.Spawned spawned() {
            return spawned;
        }

        @Override
        public synchronized void close() {
            if (!used) {
                used = true;
                release();
                sweep();
            }
        }
    }

    /**
     * A new QEMU that continues where {@code snapshot}'s template was paused: the template's
     * machine with its RAM file mapped copy-on-write, the saved state loaded before it runs,
     * console output going to {@code console}. Same binary and accelerator as the template.
     */
    @Override
    public RunningVm restore(Snapshot snapshot, ConsoleListener console) {
        if (!(snapshot instanceof QemuSnapshot)) {
            throw new IllegalArgumentException("the qemu backend restores its own snapshots, not " + snapshot);
        }
        Objects.requireNonNull(console, "console");
        QemuSnapshot s = (QemuSnapshot) snapshot;
        RestoredMachine machine = s.machine();
        checkAvailable(machine.arch());
        Path workDir = createWorkDir(workRoot);
        try {
            QemuCommandLine.Invocation inv = withExtraArgs(QemuCommandLine.restore(machine, s.binary(), workDir));
            return QemuVm.start(machine.arch(), inv, workDir, console, startTimeout, null, s.stateFile(), null);
        } catch (RuntimeException e) {
            QemuVm.deleteTree(workDir);
            throw e;
        }
    }

    /** The one file every file-backed region of {@code image} is read from (its kernel), or null. */
    static Path kernelOf(GuestImage image) {
        Path kernel = null;
        for (MemoryRegion r : image.regions()) {
            if (r.file().isPresent()) {
                Path p = r.file().get().path();
                if (kernel != null && !kernel.equals(p)) {
                    return null;
                }
                kernel = p;
            }
        }
        return kernel;
    }

    private RamTemplate findTemplate(Arch arch, long ramSize, Path kernel) {
        return templateRoot == null || ramSize > RamTemplate.FILE_SIZE ? null
                : RamTemplate.find(templateRoot, arch, kernel).orElse(null);
    }

    /**
     * What a start from {@code template} writes into QEMU: zeros over what it holds that
     * {@code inv} does not write (within the guest's {@code ramSize}: QEMU maps no more), then
     * {@code inv}'s RAM writes it does not hold.
     */
    static QemuVm.ProcessFill processFill(RamTemplate template, QemuCommandLine.Invocation inv, long ramSize) {
        List<RamTemplate.Slice> stale = new ArrayList<>();
        for (RamTemplate.Slice s : template.stale(inv.ramWrites())) {
            if (s.ramOffset() < ramSize) {
                stale.add(new RamTemplate.Slice(s.ramOffset(), s.fileOffset(), (int) Math.min(s.length(), ramSize - s.ramOffset())));
            }
        }
        return new QemuVm.ProcessFill(template, stale, template.missing(inv.ramWrites()));
    }

    /** Templates being made by this JVM, by name: one make each, however many guests start at once. */
    private static final Map<String, CompletableFuture<RamTemplate>> MAKING = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Makes {@code kernel}'s template on a thread of its own while the guest boots, for the next
     * start of that kernel; a failure only means the next start copies the kernel again.
     */
    private void makeTemplateLater(GuestImage image, Path kernel) {
        if (templateRoot == null || kernel == null) {
            return;
        }
        String name;
        try {
            name = RamTemplate.name(image.arch(), kernel);
        } catch (IOException e) {
            return;
        }
        MAKING.computeIfAbsent(name, n -> Background.call("linuxvm-ram-template", () -> {
            try {
                return RamTemplate.create(templateRoot, image.arch(), image.ramSize(), kernel, image.regions());
            } catch (IOException | RuntimeException e) {
                System.getLogger(QemuBackend.class.getName()).log(System.Logger.Level.DEBUG,
                        "making the RAM template of " + kernel + " in " + templateRoot + " failed", e);
                throw e;
            } finally {
                MAKING.remove(n);
            }
        }));
    }

    /**
     * Waits until the RAM templates this JVM is making are made (or failed): for whoever deletes
     * their directory next, as the CLI's class-data training does.
     */
    public static void awaitRamTemplates() {
        for (CompletableFuture<RamTemplate> f : List.copyOf(MAKING.values())) {
            try {
                f.join();
            } catch (CompletionException e) {
                // logged
            }
        }
    }

    private void checkAvailable(Arch arch) {
        Availability availability = availability(arch);
        if (!availability.available()) {
            throw new QemuException("cannot start a " + arch + " guest: " + availability.reason());
        }
    }

    private QemuCommandLine.Invocation withExtraArgs(QemuCommandLine.Invocation inv) {
        if (extraArgs.isEmpty()) {
            return inv;
        }
        List<String> args = new ArrayList<>(inv.args());
        args.addAll(extraArgs);
        return new QemuCommandLine.Invocation(List.copyOf(args), inv.files(), inv.ramWrites(), inv.serialPipe(), inv.qmpPipe(),
                inv.dataPipe());
    }

    private static void deleteIfCreated(Path dir) {
        if (dir != null) {
            QemuVm.deleteTree(dir);
        }
    }

    /**
     * Where a template's RAM file goes: the configured {@link Builder#ramRoot}, else /dev/shm
     * when it can hold all of the guest's RAM (tmpfs: the file is memory, written back nowhere),
     * else the work root (a disk file: works, but the kernel writes the guest's RAM back to disk).
     */
    private Path ramRoot(long ramSize) {
        if (ramRoot != null) {
            return ramRoot;
        }
        Path shm = Path.of("/dev/shm");
        try {
            if (Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() >= ramSize) {
                return shm;
            }
        } catch (IOException e) {
            // fall through to the work root
        }
        return workRoot;
    }

    /**
     * Where a plain start's RAM file goes ({@link QemuCommandLine.Ram.Filled}): the configured
     * {@link Builder#ramRoot}, else /dev/shm when it can hold all of the guest's RAM; null (QEMU's
     * own RAM and {@code -device loader} files) when neither: a disk file would be written back.
     */
    private Path memoryRoot(long ramSize) {
        Path root = ramRoot(ramSize);
        return root != null && !root.equals(workRoot) ? root : null;
    }

    /**
     * A new directory {@code WORK_DIR_PREFIX + pid-random} in {@code root}, mode 0700. Not
     * {@link Files#createTempDirectory}: its first call initialises {@code SecureRandom} and the
     * security providers (20 ms at the CLI's start, measured); an unguessable name adds nothing
     * here, as the directory is created atomically with its mode and a name taken by anyone else
     * is simply skipped.
     */
    private static Path createPrivateDir(Path root) throws IOException {
        var perms = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        String prefix = WORK_DIR_PREFIX + ProcessHandle.current().pid() + "-";
        for (int attempt = 0; ; attempt++) {
            Path dir = root.resolve(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
            try {
                return Files.createDirectory(dir, perms);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    /** {@link #createOwnedDir}, then a sweep of the stale work directories beside it. */
    private static Path createWorkDir(Path root) {
        Path dir = createOwnedDir(root);
        deleteStaleWorkDirs(dir.getParent());
        return dir;
    }

    /**
     * A private (0700) directory with an owner file under {@code root} (null: java.io.tmpdir),
     * without the sweep of stale ones ({@link #createWorkDir}; a caller of this sweeps later).
     */
    private static Path createOwnedDir(Path root) {
        try {
            Path dir = createPrivateDir(root == null ? Path.of(System.getProperty("java.io.tmpdir")) : root);
            // Written aside and moved in, so a sweep by a guest starting in parallel never reads a half-written id.
            Path owner = Files.writeString(dir.resolve(OWNER_FILE + ".tmp"), ownerId(ProcessHandle.current()));
            Files.move(owner, dir.resolve(OWNER_FILE), StandardCopyOption.ATOMIC_MOVE);
            return dir;
        } catch (IOException e) {
            throw new QemuException("cannot create a work directory for QEMU: " + e.getMessage()
                    + ": point java.io.tmpdir at a writable directory", e);
        }
    }

    /**
     * Deletes work directories under {@code root} whose owning JVM is gone (killed before its
     * close() or shutdown hook ran; its QEMU died with it through the lifeline). Directories of
     * live JVMs, ones without an owner file (just being created) and ones whose owner cannot be
     * read are left alone; one such directory does not stop the sweep.
     */
    static void deleteStaleWorkDirs(Path root) {
        try (var dirs = Files.newDirectoryStream(root, WORK_DIR_PREFIX + "*")) {
            for (Path dir : dirs) {
                if (ownerGone(dir.resolve(OWNER_FILE))) {
                    QemuVm.deleteTree(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: another JVM may be deleting the same directories
        }
    }

    /** Whether {@code owner} names a JVM ("pid start-millis") that no longer runs. */
    private static boolean ownerGone(Path owner) {
        try {
            String id = Files.readString(owner).trim();
            long pid = Long.parseLong(id.split(" ")[0]);
            return !ProcessHandle.of(pid).map(QemuBackend::ownerId).map(id::equals).orElse(false);
        } catch (IOException | RuntimeException e) {
            return false; // missing, unreadable or not an id: not provably stale
        }
    }

    /** "pid start-time-millis": a pid alone could have been reused by another process. */
    static String ownerId(ProcessHandle p) {
        return p.pid() + " " + p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    public static final class Builder {
        private final Map<Arch, Path> binaries = new EnumMap<>(Arch.class);
        private boolean tcgOnly;
        private Duration startTimeout = Duration.ofSeconds(30);
        private Path workRoot;
        private Path ramRoot;
        private Path templateRoot;
        private boolean templateRootSet;
        private final List<String> extraArgs = new ArrayList<>();

        private Builder() {
        }

        /** Use this {@code qemu-system-*} file for {@code arch} guests instead of the PATH's. */
        public Builder binary(Arch arch, Path path) {
            binaries.put(arch, path);
            return this;
        }

        /** Never use KVM, even where it is usable. */
        public Builder tcgOnly() {
            this.tcgOnly = true;
            return this;
        }

        /** How long QEMU may take to open its sockets (loading a large kernel takes a moment). */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** Parent of the per-guest work directories (default: java.io.tmpdir). */
        public Builder workRoot(Path dir) {
            this.workRoot = dir;
            return this;
        }

        /**
         * Parent of the directories that hold snapshot templates' RAM files and their snapshots
         * (default: /dev/shm when it has room for the guest's RAM, else the work root).
         */
        public Builder ramRoot(Path dir) {
            this.ramRoot = dir;
            return this;
        }

        /**
         * Where kernels' RAM templates are kept ({@link RamTemplate}; default: under the cache,
         * {@link #defaultTemplateRoot}); null: none, every plain start copies its kernel into
         * a RAM file of its own.
         */
        public Builder ramTemplates(Path dir) {
            this.templateRoot = dir;
            this.templateRootSet = true;
            return this;
        }

        /**
         * Arguments appended to every QEMU command line, for debugging (for example
         * {@code -d int,cpu_reset -D /tmp/qemu.log}); never needed to boot a guest.
         */
        public Builder extraArgs(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        public QemuBackend build() {
            return new QemuBackend(this);
        }
    }
}
