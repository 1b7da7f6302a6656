package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.qemu.QemuCommandLine.Accelerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 *   <li>create a private (0700) work directory and write the region files, the trampoline or
 *       reset ROM;</li>
 *   <li>start QEMU paused ({@code -S}) under the lifeline wrapper;</li>
 *   <li>connect QMP, negotiate capabilities, connect the serial socket;</li>
 *   <li>{@code cont}; from here the serial thread feeds the {@link ConsoleListener}.</li>
 * </ol>
 */
public final class QemuBackend implements Backend {
    static final String WORK_DIR_PREFIX = "linuxvm-qemu-";
    static final String OWNER_FILE = "owner";
    private final Map<Arch, Path> binaries;
    private final boolean tcgOnly;
    private final Duration startTimeout;
    private final Path workRoot;
    private final List<String> extraArgs;

    private QemuBackend(Builder b) {
        this.binaries = Map.copyOf(b.binaries);
        this.tcgOnly = b.tcgOnly;
        this.startTimeout = b.startTimeout;
        this.workRoot = b.workRoot;
        this.extraArgs = List.copyOf(b.extraArgs);
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
        Objects.requireNonNull(console, "console");
        Arch arch = image.arch();
        Availability availability = availability(arch);
        if (!availability.available()) {
            throw new QemuException("cannot start a " + arch + " guest: " + availability.reason());
        }
        Path workDir = createWorkDir();
        try {
            QemuCommandLine.Invocation inv = QemuCommandLine.build(image, binary(arch).orElseThrow(), workDir, accelerator(arch));
            if (!extraArgs.isEmpty()) {
                List<String> args = new ArrayList<>(inv.args());
                args.addAll(extraArgs);
                inv = new QemuCommandLine.Invocation(List.copyOf(args), inv.files(), inv.serialSocket(), inv.qmpSocket());
            }
            for (Map.Entry<Path, byte[]> f : inv.files().entrySet()) {
                Files.write(f.getKey(), f.getValue());
            }
            return QemuVm.start(arch, inv, workDir, console, startTimeout);
        } catch (IOException e) {
            QemuVm.deleteTree(workDir);
            throw new QemuException("writing the guest's memory images to " + workDir + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            QemuVm.deleteTree(workDir);
            throw e;
        }
    }

    private Path createWorkDir() {
        try {
            var perms = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
            Path dir = workRoot == null
                    ? Files.createTempDirectory(WORK_DIR_PREFIX, perms)
                    : Files.createTempDirectory(workRoot, WORK_DIR_PREFIX, perms);
            // Written aside and moved in, so a sweep by a guest starting in parallel never reads a half-written id.
            Path owner = Files.writeString(dir.resolve(OWNER_FILE + ".tmp"), ownerId(ProcessHandle.current()));
            Files.move(owner, dir.resolve(OWNER_FILE), StandardCopyOption.ATOMIC_MOVE);
            deleteStaleWorkDirs(dir.getParent());
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

        /** Parent of the per-guest work directories (default: java.io.tmpdir). Unix socket paths must stay short. */
        public Builder workRoot(Path dir) {
            this.workRoot = dir;
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
