package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The level-1 assets of the KVM lab (vmm-engine/README.md, "The KVM lab"): a QEMU TCG guest whose CPU offers
 * hardware virtualization runs Debian's kernel with KVM, and inside it a JVM runs the engine on
 * {@code /dev/kvm} to boot the level-2 test guest. Level 1 and level 2 run the same kernel, the
 * one {@link TestKernels} provisioned.
 *
 * <p>Level 1 boots {@link Assets#level1Kernel()} with one initrd made of, in this order: the
 * guest's busybox initramfs ({@link TestKernel#initramfs()}), {@link Assets#baseArchive()} and a
 * small per-run overlay adding {@value GuestInitramfs#EXEC_PATH}. Pad the gzip initramfs with
 * zero bytes to a multiple of 4 before the base archive: the kernel takes an uncompressed archive
 * only at a 4-byte-aligned offset (init/initramfs.c unpack_to_rootfs, {@code !(this_header & 3)});
 * unpadded it stops with "invalid magic at start of compressed archive". The base archive
 * (uncompressed cpio newc, its length a multiple of 4) holds
 * <ul>
 *   <li>Debian's {@value #JRE_PACKAGE}, libc6, zlib1g, libstdc++6 and libgcc-s1 for the arch,
 *       unpacked with {@code dpkg-deb -x}, minus {@link LabArchive#EXCLUDED};</li>
 *   <li>x86_64: {@code irqbypass.ko kvm.ko kvm-amd.ko} under {@value #MODULE_DIR} (insmod them in
 *       {@link Assets#modules()} order; arm64's cloud kernel has KVM built in);</li>
 *   <li>the level-2 guest's kernel and initramfs under {@value #GUEST_DIR}, and on x86_64 its
 *       bzImage for a QEMU {@code -kernel} baseline;</li>
 *   <li>x86_64: the host's {@code qemu-system-x86_64} with its libraries and firmware at the same
 *       paths ({@link HostQemu}).</li>
 * </ul>
 *
 * <p>Cache, under the guest cache root and its lock:
 * <pre>
 * &lt;cache&gt;/lab/&lt;arch&gt;/current          name of the entry in use (written last)
 * &lt;cache&gt;/lab/&lt;arch&gt;/&lt;key&gt;/            key: {@link LabKey#value()}
 *   vmlinuz                            the level-1 kernel (the linux-image package's boot/vmlinuz-*)
 *   lab-base.cpio                      the base archive
 *   lab.properties                     inputs, paths inside level 1, sha256 of both files (written after them)
 * </pre>
 * Provisioning: 1. provision the test guest; 2. under the cache lock, reuse the current entry if
 * it was built from this guest (and, on x86_64, from the host QEMU files as they are now) and
 * its files match their SHA-256: no network; 3. otherwise download the exact linux-image
 * package of the guest and the runtime packages with the private apt state (updating the lists
 * once if a download fails); 4. unpack; 5. write the archive, the kernel and the manifest, each
 * to a temp name then renamed; 6. point {@code current} at it and delete superseded entries.
 */
public final class KvmLabImage {
    /** The archive layout; part of the key, so changing what goes in rebuilds. */
    public static final int REVISION = 1;

    static final String JRE_PACKAGE = "openjdk-17-jre-headless";
    /** The JVM and the libraries its launcher, libjvm and libzip link against. */
    static final List<String> RUNTIME_PACKAGES = List.of(JRE_PACKAGE, "libc6", "zlib1g", "libstdc++6", "libgcc-s1");
    /** x86_64 KVM modules, in insmod order: kvm uses irqbypass's symbols, kvm-amd uses kvm's. */
    static final List<String> X86_MODULES = List.of(
        "kernel/virt/lib/irqbypass", "kernel/arch/x86/kvm/kvm", "kernel/arch/x86/kvm/kvm-amd");

    /** Where the level-2 guest's files are inside level 1. */
    public static final String GUEST_DIR = "/lab/guest";
    /** Where the KVM modules are inside level 1 (x86_64). */
    public static final String MODULE_DIR = "/lab/modules";
    /** JVM options for the emulated level 1: no CDS archive (left out), C1 only, no perf-data file. */
    public static final List<String> JAVA_OPTIONS = List.of("-Xshare:off", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");

    static final String MANIFEST = "lab.properties";
    static final String ARCHIVE_FILE = "lab-base.cpio";
    static final String KERNEL_FILE = "vmlinuz";
    static final String CURRENT = "current";

    /**
     * One architecture's provisioned lab. Paths are on this host; strings are paths inside level 1.
     *
     * @param arch            the architecture of both levels
     * @param level1Kernel    the kernel QEMU boots as level 1 ({@code -kernel})
     * @param baseArchive     the uncompressed cpio to append to the guest initramfs
     * @param javaPath        the java launcher inside level 1
     * @param modules         the modules to insmod, in order, for {@code /dev/kvm} (empty on aarch64)
     * @param level2Kernel    the level-2 kernel (the provisioned vmlinux or Image)
     * @param level2Initramfs the level-2 initramfs (the provisioned one, gzip)
     * @param level2BzImage   x86_64: the same kernel as a bzImage, for QEMU {@code -kernel}; else null
     * @param qemuPath        x86_64: qemu-system-x86_64 inside level 1; else null
     * @param key             the cache key (directory name) of this lab
     */
    public record Assets(Arch arch, Path level1Kernel, Path baseArchive, String javaPath, List<String> modules,
                         String level2Kernel, String level2Initramfs, String level2BzImage, String qemuPath,
                         String key) {
        public Assets {
            modules = List.copyOf(modules);
        }
    }

    private final TestKernels guests;
    private final Path labRoot;
    private final Map<String, String> env;
    private final Consumer<String> progress;

    private KvmLabImage(TestKernels guests, Path labRoot, Map<String, String> env, Consumer<String> progress) {
        this.guests = guests;
        this.labRoot = labRoot;
        this.env = Map.copyOf(env);
        this.progress = progress;
    }

    /** The lab for {@code arch} in the default cache, provisioning it (and the test guest) if needed. */
    public static Assets provision(Arch arch, Consumer<String> progress) {
        return provision(arch, false, progress);
    }

    /** As {@link #provision(Arch, Consumer)}; with {@code rebuild} the lab is built again even if cached. */
    public static Assets provision(Arch arch, boolean rebuild, Consumer<String> progress) {
        TestKernels guests = TestKernels.fromEnvironment(progress);
        return new KvmLabImage(guests, defaultLabRoot(guests.cacheRoot()), System.getenv(), progress).get(arch, rebuild);
    }

    /** {@code <cache>/lab}. */
    public static Path defaultLabRoot(Path cacheRoot) {
        return cacheRoot.resolve("lab");
    }

    /** Labs under {@code labRoot}, guests, apt state and lock from {@code guests}' cache (for tests). */
    static KvmLabImage of(TestKernels guests, Path labRoot, Map<String, String> env, Consumer<String> progress) {
        return new KvmLabImage(guests, labRoot, env, progress);
    }

    /** The java launcher inside level 1, e.g. /usr/lib/jvm/java-17-openjdk-amd64/bin/java. */
    public static String javaPath(Arch arch) {
        return "/usr/lib/jvm/java-17-openjdk-" + arch.debianArch() + "/bin/java";
    }

    Path archDir(Arch arch) {
        return labRoot.resolve(arch.unameMachine());
    }

    Assets get(Arch arch, boolean rebuild) {
        // Before the lock: provisioning the guest takes the same (non-reentrant) file lock.
        TestKernel guest = guests.provision(arch, false);
        requireTools(arch);
        HostQemu qemu = arch == Arch.X86_64 ? HostQemu.find(env.get("PATH")) : null;
        GuestCache cache = new GuestCache(guests.cacheRoot());
        return cache.locked(progress, () -> {
            if (!rebuild) {
                Assets cached = current(arch, guest, qemu);
                if (cached != null) {
                    return cached;
                }
            }
            requireGuestUnchanged(guest);
            PrivateApt apt = new PrivateApt(guests.cacheRoot(), progress);
            try {
                return build(arch, guest, qemu, cache, apt);
            } catch (HostCommand.CommandFailedException first) {
                progress.accept("  " + first.getMessage());
                progress.accept("  retrying with freshly updated apt lists");
                apt.update();
                try {
                    return build(arch, guest, qemu, cache, apt);
                } catch (HostCommand.CommandFailedException second) {
                    if (second.stderr.contains("linux-image-")) {
                        throw new ProvisioningException("apt no longer offers linux-image-" + guest.kernelRelease() + "="
                            + guest.kernelPackageVersion() + ", the kernel of the provisioned " + arch + " guest: run "
                            + "Provision --refresh " + arch + " to move the guest to the current kernel, then provision "
                            + "the lab again", second);
                    }
                    throw second;
                }
            }
        });
    }

    /** The current entry if it was built from these inputs and its files are intact, else null. */
    private Assets current(Arch arch, TestKernel guest, HostQemu qemu) {
        Path pointer = archDir(arch).resolve(CURRENT);
        if (!Files.isRegularFile(pointer)) {
            return null;
        }
        try {
            long t0 = System.nanoTime();
            Path dir = archDir(arch).resolve(Files.readString(pointer).trim());
            Path manifest = dir.resolve(MANIFEST);
            if (!Files.isRegularFile(manifest)) {
                progress.accept("KVM lab entry " + dir + " has no manifest: building again");
                return null;
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(manifest)) {
                p.load(r);
            }
            String stale = staleness(p, guest, qemu);
            if (stale != null) {
                progress.accept("KVM lab entry " + dir + " was built from " + stale + ": building again");
                return null;
            }
            Path kernel = dir.resolve(KERNEL_FILE);
            Path archive = dir.resolve(ARCHIVE_FILE);
            if (!GuestCache.verified(kernel, p.getProperty("level1.kernel.sha256"))
                || !GuestCache.verified(archive, p.getProperty("archive.sha256"))) {
                progress.accept("KVM lab entry " + dir + " is corrupt (sha256 mismatch or missing file): building again");
                return null;
            }
            progress.accept(String.format("[%s] KVM lab %s (verified in %.1f s)", arch, dir, (System.nanoTime() - t0) / 1e9));
            return assets(arch, kernel, archive, p.getProperty("qemu.path"), p.getProperty("key"));
        } catch (IOException | RuntimeException e) {
            progress.accept("KVM lab entry for " + arch + " is unreadable (" + e.getMessage() + "): building again");
            return null;
        }
    }

    /** Which recorded input differs from now, or null if none does. */
    private static String staleness(Properties p, TestKernel guest, HostQemu qemu) {
        if (!Integer.toString(REVISION).equals(p.getProperty("revision"))) {
            return "archive revision " + p.getProperty("revision") + " (this build makes " + REVISION + ")";
        }
        if (!guest.kernelSha256().equals(p.getProperty("guest.kernel.sha256"))
            || !guest.initramfsSha256().equals(p.getProperty("guest.initramfs.sha256"))) {
            return "another provisioned guest";
        }
        if (qemu != null && !qemuInput(qemu).equals(p.getProperty("qemu"))) {
            return "other host QEMU files";
        }
        return null;
    }

    private static String qemuInput(HostQemu qemu) {
        return qemu.packageVersion() + " " + qemu.fingerprint();
    }

    private static void requireGuestUnchanged(TestKernel guest) {
        try {
            if (!GuestCache.verified(guest.kernel(), guest.kernelSha256())
                || !GuestCache.verified(guest.initramfs(), guest.initramfsSha256())) {
                throw new ProvisioningException("the provisioned " + guest.arch() + " guest changed while the KVM lab"
                    + " waited for the cache lock: provision the lab again");
            }
        } catch (IOException e) {
            throw new ProvisioningException("cannot read the provisioned guest: " + GuestCache.describe(e), e);
        }
    }

    private Assets build(Arch arch, TestKernel guest, HostQemu qemu, GuestCache cache, PrivateApt apt) {
        Path work = null;
        try {
            cache.wipeTmp();
            work = Files.createDirectories(cache.tmpDir().resolve("lab-" + arch.unameMachine() + "-" + ProcessHandle.current().pid()));
            Path debs = Files.createDirectories(work.resolve("debs"));
            apt.ensureLists();

            // 1. Download: the guest's exact kernel package, and the runtime packages apt offers now.
            String kernelPkg = "linux-image-" + guest.kernelRelease();
            progress.accept("[" + arch + "] KVM lab: downloading " + kernelPkg + "=" + guest.kernelPackageVersion() + ", "
                + String.join(", ", RUNTIME_PACKAGES) + " (" + arch.debianArch() + ")");
            long t0 = System.nanoTime();
            Path kernelDeb = apt.download(kernelPkg, guest.kernelPackageVersion(), arch, debs);
            Map<String, Path> runtimeDebs = new LinkedHashMap<>();
            for (String pkg : RUNTIME_PACKAGES) {
                runtimeDebs.put(pkg, apt.download(pkg, arch, debs));
            }
            progress.accept(String.format("  %d packages, %s in %.1f s", 1 + runtimeDebs.size(), mib(directorySize(debs)),
                (System.nanoTime() - t0) / 1e9));

            // 2. Unpack: the kernel package alone, the runtime packages into one tree.
            long t1 = System.nanoTime();
            Path kernelTree = unpack(kernelDeb, work.resolve("kernel"));
            Path root = work.resolve("root");
            Map<String, String> versions = new LinkedHashMap<>();
            for (Map.Entry<String, Path> e : runtimeDebs.entrySet()) {
                versions.put(e.getKey(), TestKernels.debField(e.getValue(), "Version"));
                unpack(e.getValue(), root);
            }
            progress.accept(String.format("  unpacked in %.1f s: %s", (System.nanoTime() - t1) / 1e9, versions));
            Path vmlinuz = kernelTree.resolve("boot/vmlinuz-" + guest.kernelRelease());
            if (!Files.isRegularFile(vmlinuz)) {
                throw new ProvisioningException(kernelDeb.getFileName() + " has no boot/vmlinuz-" + guest.kernelRelease());
            }
            String java = javaPath(arch);
            if (!Files.isExecutable(root.resolve(java.substring(1)))) {
                throw new ProvisioningException(JRE_PACKAGE + ":" + arch.debianArch() + " has no " + java);
            }

            // 3. The archive.
            long t2 = System.nanoTime();
            LabArchive archive = new LabArchive();
            archive.addTree(root);
            if (arch == Arch.X86_64) {
                List<Path> modules = modules(kernelTree.resolve("lib/modules/" + guest.kernelRelease()), work);
                for (Path m : modules) {
                    archive.addFile(MODULE_DIR + "/" + m.getFileName(), 0644, m);
                }
            }
            archive.addFile(GUEST_DIR + "/" + guest.kernel().getFileName(), 0644, guest.kernel());
            archive.addFile(GUEST_DIR + "/" + guest.initramfs().getFileName(), 0644, guest.initramfs());
            List<String> fromPackages = new ArrayList<>();
            if (qemu != null) {
                archive.addFile(GUEST_DIR + "/bzImage", 0644, vmlinuz);
                for (Path f : qemu.files()) {
                    if (!archive.addHostFile(f)) {
                        fromPackages.add(f.getFileName().toString());
                    }
                }
            }

            LabKey key = new LabKey(arch, guest.kernelRelease(), guest.kernelPackageVersion(), versions,
                qemu == null ? null : qemuInput(qemu), guest.kernelSha256(), guest.initramfsSha256(), REVISION);
            Path dir = archDir(arch).resolve(key.value());
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(MANIFEST)); // incomplete until the manifest is back
            Path archiveFile = dir.resolve(ARCHIVE_FILE);
            Path archiveTmp = dir.resolve(ARCHIVE_FILE + ".tmp-" + ProcessHandle.current().pid());
            String archiveSha = archive.writeTo(archiveTmp);
            move(archiveTmp, archiveFile);
            progress.accept(String.format("  %s: %d entries, %s in %.1f s%s", ARCHIVE_FILE, archive.entries(),
                mib(Files.size(archiveFile)), (System.nanoTime() - t2) / 1e9,
                qemu == null ? "" : "; " + qemu.files().size() + " host QEMU files (" + fromPackages.size()
                    + " already from the packages: " + String.join(" ", fromPackages) + ")"));

            byte[] kernelBytes = Files.readAllBytes(vmlinuz);
            Path kernelFile = dir.resolve(KERNEL_FILE);
            GuestCache.writeAtomically(kernelFile, kernelBytes);

            // 4. Manifest last, then the pointer.
            Properties p = new Properties();
            for (String line : key.describe().split("\n")) {
                int eq = line.indexOf('=');
                p.setProperty(line.substring(0, eq), line.substring(eq + 1));
            }
            p.setProperty("key", key.value());
            p.setProperty("level1.kernel.sha256", GuestCache.sha256(kernelBytes));
            p.setProperty("archive.sha256", archiveSha);
            p.setProperty("archive.entries", Integer.toString(archive.entries()));
            p.setProperty("java.path", java);
            if (qemu != null) {
                p.setProperty("qemu.path", qemu.binary().toString());
            }
            StringWriter sw = new StringWriter();
            p.store(sw, "linuxvm KVM lab level-1 assets; files are verified against these sha256 on every use");
            GuestCache.writeAtomically(dir.resolve(MANIFEST), sw.toString().getBytes(StandardCharsets.UTF_8));
            GuestCache.writeAtomically(archDir(arch).resolve(CURRENT), (key.value() + "\n").getBytes(StandardCharsets.UTF_8));
            pruneExcept(arch, key.value());
            progress.accept("  stored " + dir);
            return assets(arch, kernelFile, archiveFile, qemu == null ? null : qemu.binary().toString(), key.value());
        } catch (IOException e) {
            throw new ProvisioningException("provisioning the " + arch + " KVM lab failed: " + GuestCache.describe(e), e);
        } finally {
            if (work != null) {
                try {
                    GuestCache.deleteTree(work);
                } catch (IOException ignored) {
                    // wiped on the next provisioning
                }
            }
        }
    }

    private static Assets assets(Arch arch, Path kernel, Path archive, String qemuPath, String key) {
        boolean x86 = arch == Arch.X86_64;
        List<String> modules = x86
            ? X86_MODULES.stream().map(m -> MODULE_DIR + "/" + m.substring(m.lastIndexOf('/') + 1) + ".ko").toList()
            : List.of();
        return new Assets(arch, kernel, archive, javaPath(arch), modules,
            GUEST_DIR + "/" + GuestCache.kernelFileName(arch), GUEST_DIR + "/" + GuestCache.INITRAMFS_FILE,
            x86 ? GUEST_DIR + "/bzImage" : null, x86 ? qemuPath : null, key);
    }

    /** The KVM modules as plain .ko files, in insmod order (6.1 ships .ko, newer packages .ko.xz). */
    private List<Path> modules(Path moduleTree, Path work) throws IOException {
        List<Path> out = new ArrayList<>();
        Path dir = Files.createDirectories(work.resolve("modules"));
        for (String m : X86_MODULES) {
            Path target = dir.resolve(m.substring(m.lastIndexOf('/') + 1) + ".ko");
            KernelModuleFiles.copyPlain(moduleTree, m + ".ko", target, env.get("PATH"), "the level-1 kernel package");
            out.add(target);
        }
        return out;
    }

    private void requireTools(Arch arch) {
        List<String> missing = new ArrayList<>();
        for (String t : TestKernels.REQUIRED_TOOLS) {
            if (!HostCommand.onPath(t, env.get("PATH"))) {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            throw new ProvisioningException("cannot provision the " + arch + " KVM lab: " + String.join(", ", missing)
                + " not found (it downloads Debian's kernel and JRE packages with apt and dpkg): run on a Debian-based host");
        }
    }

    private Path unpack(Path deb, Path into) {
        HostCommand.run(deb.getParent(), List.of("dpkg-deb", "-x", deb.toString(), into.toString()));
        return into;
    }

    private void pruneExcept(Arch arch, String key) throws IOException {
        try (Stream<Path> s = Files.list(archDir(arch))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isDirectory(p) && !p.getFileName().toString().equals(key)) {
                    GuestCache.deleteTree(p);
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static long directorySize(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            long total = 0;
            for (Path p : (Iterable<Path>) s::iterator) {
                total += Files.size(p);
            }
            return total;
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
