package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.initramfs.CpioEntry;
import dev.linuxvm.engine.initramfs.CpioReader;
import dev.linuxvm.engine.loader.KernelFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The default test guests: Debian's cloud kernel plus a busybox initramfs per architecture,
 * provisioned on first use into a cache and reused offline afterwards.
 *
 * <pre>{@code
 * TestKernel guest = TestKernels.forArch(Arch.AARCH64);
 * guest.kernel();      // .../guests/aarch64/6.1.0-56-cloud-arm64_.../Image
 * guest.initramfs();   // .../initramfs.cpio.gz
 * }</pre>
 *
 * <p>Overrides (environment): {@code LINUXVM_KERNEL_X86_64} / {@code LINUXVM_KERNEL_AARCH64}
 * name an uncompressed kernel, {@code LINUXVM_INITRD_X86_64} / {@code LINUXVM_INITRD_AARCH64}
 * an initramfs; whatever is not overridden is provisioned. {@code LINUXVM_CACHE} moves the cache.
 *
 * <p>Provisioning (see {@link GuestCache} for the layout): 1. with the cache lock held, reuse
 * the current entry if its files match their recorded SHA-256 (no network); 2. otherwise fetch
 * private apt lists if there are none, resolve {@code linux-image-cloud-<arch>} to the versioned
 * package, {@code apt-get download} it and {@code busybox-static}; 3. unpack with
 * {@code dpkg-deb -x}; 4. extract the vmlinux / Image; 5. build the initramfs; 6. store
 * atomically and make it current. If a download fails with stale lists, the lists are updated
 * once and the step retried.
 */
public final class TestKernels {
    /** Tools provisioning runs. */
    static final List<String> REQUIRED_TOOLS = List.of("apt-get", "apt-cache", "dpkg-deb");

    private final Path cacheRoot;
    private final Map<String, String> env;
    private final Consumer<String> progress;

    private TestKernels(Path cacheRoot, Map<String, String> env, Consumer<String> progress) {
        this.cacheRoot = cacheRoot;
        this.env = env;
        this.progress = progress;
    }

    /** The guest for {@code arch}, provisioning it (quietly) if needed. */
    public static TestKernel forArch(Arch arch) {
        return fromEnvironment(s -> { }).get(arch);
    }

    /** Uses the process environment and the default cache; {@code progress} receives status lines. */
    public static TestKernels fromEnvironment(Consumer<String> progress) {
        return new TestKernels(defaultCacheDir(System.getenv()), System.getenv(), progress);
    }

    /** An explicit cache dir and environment (for tests and tools). */
    public static TestKernels of(Path cacheRoot, Map<String, String> env, Consumer<String> progress) {
        return new TestKernels(cacheRoot, Map.copyOf(env), progress);
    }

    /** {@code $LINUXVM_CACHE}, else {@code $XDG_CACHE_HOME/linuxvm}, else {@code ~/.cache/linuxvm}. */
    public static Path defaultCacheDir(Map<String, String> env) {
        return dev.linuxvm.engine.CacheDir.of(env);
    }

    public Path cacheRoot() {
        return cacheRoot;
    }

    /** Name of the kernel override variable, e.g. "LINUXVM_KERNEL_X86_64". */
    public static String kernelOverrideVariable(Arch arch) {
        return "LINUXVM_KERNEL_" + arch.unameMachine().toUpperCase(Locale.ROOT);
    }

    /** Name of the initramfs override variable, e.g. "LINUXVM_INITRD_AARCH64". */
    public static String initrdOverrideVariable(Arch arch) {
        return "LINUXVM_INITRD_" + arch.unameMachine().toUpperCase(Locale.ROOT);
    }

    /** The guest for {@code arch}: overrides first, then the cache, provisioning what is missing. */
    public TestKernel get(Arch arch) {
        return get(arch, true);
    }

    /**
     * {@link #get} when that provisions nothing (both overrides are set, or the cache holds a
     * complete guest), else null: for a caller that only guesses it will need the guest.
     */
    /**
     * The kernel file {@link #get} would return now, found without the cache's lock and without
     * verifying it, or null: a hint for starting ahead (the QEMU executor maps that kernel's RAM
     * template), never a kernel to boot.
     */
    public Path kernelHint(Arch arch) {
        Path kernelOverride = override(kernelOverrideVariable(arch));
        return kernelOverride != null ? kernelOverride : new GuestCache(cacheRoot).peekKernel(arch);
    }

    public TestKernel getIfProvisioned(Arch arch) {
        return get(arch, false);
    }

    private TestKernel get(Arch arch, boolean mayProvision) {
        Path kernelOverride = override(kernelOverrideVariable(arch));
        Path initrdOverride = override(initrdOverrideVariable(arch));
        if (kernelOverride != null && initrdOverride != null) {
            return new TestKernel(arch, kernelOverride, initrdOverride, TestKernel.CUSTOM, TestKernel.CUSTOM,
                TestKernel.CUSTOM, sha256(kernelOverride), sha256(initrdOverride));
        }
        TestKernel provisioned = mayProvision ? provision(arch, false) : cached(arch);
        if (provisioned == null) {
            return null;
        }
        if (kernelOverride == null && initrdOverride == null) {
            return provisioned;
        }
        return kernelOverride != null
            ? new TestKernel(arch, kernelOverride, provisioned.initramfs(), TestKernel.CUSTOM, TestKernel.CUSTOM,
                provisioned.busyboxVersion(), sha256(kernelOverride), provisioned.initramfsSha256())
            : new TestKernel(arch, provisioned.kernel(), initrdOverride, provisioned.kernelRelease(),
                provisioned.kernelPackageVersion(), TestKernel.CUSTOM, provisioned.kernelSha256(), sha256(initrdOverride));
    }

    /**
     * Provisions {@code arch}'s guest into the cache (overrides are not consulted). With
     * {@code refresh} the apt lists are updated first and the newest kernel is fetched even if
     * an older complete guest is cached.
     */
    public TestKernel provision(Arch arch, boolean refresh) {
        GuestCache cache = new GuestCache(cacheRoot);
        return cache.locked(progress, () -> {
            if (!refresh) {
                TestKernel cached = cache.current(arch, progress);
                if (cached != null) {
                    return cached;
                }
            }
            requireTools(arch);
            PrivateApt apt = new PrivateApt(cacheRoot, progress);
            return apt.withFreshListsOnFailure(refresh, () -> fetchAndBuild(arch, cache, apt));
        });
    }

    /** The cached complete guest for {@code arch}, or null (quietly: whoever provisions it says why). */
    private TestKernel cached(Arch arch) {
        GuestCache cache = new GuestCache(cacheRoot);
        return cache.locked(progress, () -> cache.current(arch, line -> { }));
    }

    private TestKernel fetchAndBuild(Arch arch, GuestCache cache, PrivateApt apt) {
        Path work = null;
        try {
            cache.wipeTmp();
            work = Files.createDirectories(cache.tmpDir().resolve(arch.unameMachine() + "-" + ProcessHandle.current().pid()));
            apt.ensureLists();
            String kernelPkg = apt.currentKernelPackage(arch);
            String release = kernelPkg.substring("linux-image-".length());
            progress.accept("[" + arch + "] downloading " + kernelPkg + " and " + PrivateApt.BUSYBOX_PACKAGE + ":" + arch.debianArch());
            long t0 = System.nanoTime();
            Path kernelDeb = apt.download(kernelPkg, arch, work);
            Path busyboxDeb = apt.download(PrivateApt.BUSYBOX_PACKAGE, arch, work);
            progress.accept(String.format("  %s (%s), %s (%s) in %.1f s", kernelDeb.getFileName(), mib(kernelDeb),
                busyboxDeb.getFileName(), mib(busyboxDeb), (System.nanoTime() - t0) / 1e9));

            String kernelVersion = debField(kernelDeb, "Version");
            String busyboxVersion = debField(busyboxDeb, "Version");
            Path kx = unpack(kernelDeb, work.resolve("kernel"));
            Path bx = unpack(busyboxDeb, work.resolve("busybox"));

            Path vmlinuz = kx.resolve("boot/vmlinuz-" + release);
            if (!Files.isRegularFile(vmlinuz)) {
                throw new ProvisioningException(kernelDeb.getFileName() + " has no boot/vmlinuz-" + release);
            }
            long t1 = System.nanoTime();
            byte[] compressed = Files.readAllBytes(vmlinuz);
            byte[] kernel = arch == Arch.X86_64
                ? KernelExtractor.vmlinuxFromBzImage(compressed)
                : KernelExtractor.imageFromVmlinuz(compressed);
            progress.accept(String.format("  extracted %s: %s vmlinuz -> %.1f MiB %s in %.1f s", release,
                mib(compressed.length), kernel.length / 1048576.0, GuestCache.kernelFileName(arch), (System.nanoTime() - t1) / 1e9));

            byte[] busybox = Files.readAllBytes(bx.resolve("bin/busybox"));
            checkBusybox(arch, busybox);
            byte[] initramfs = GuestInitramfs.base(busybox);
            progress.accept("  built initramfs (busybox " + busyboxVersion + "): " + mib(initramfs.length));

            String key = sanitize(release + "_" + kernelVersion + "_busybox-" + busyboxVersion + "_r" + GuestInitramfs.REVISION);
            TestKernel k = cache.store(arch, key, kernel, initramfs, release, kernelVersion, busyboxVersion);
            progress.accept("  stored " + k.kernel() + " and " + k.initramfs().getFileName());
            return k;
        } catch (IOException e) {
            throw new ProvisioningException("provisioning the " + arch + " guest failed: " + e.getMessage(), e);
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

    static void checkBusybox(Arch arch, byte[] busybox) {
        KernelFormat format = KernelFormat.detect(busybox);
        if (format.kind() != KernelFormat.Kind.ELF) {
            throw new ProvisioningException("busybox-static for " + arch + " is not an ELF file: it is " + format.describe());
        }
        int expected = arch == Arch.X86_64 ? KernelFormat.EM_X86_64 : KernelFormat.EM_AARCH64;
        if (format.elfMachine() != expected) {
            throw new ProvisioningException("busybox-static for " + arch + " has ELF e_machine " + format.elfMachine()
                + ", expected " + expected);
        }
    }

    /** The busybox binary inside an initramfs built by {@link GuestInitramfs}. */
    public static byte[] busyboxOf(byte[] initramfs) {
        CpioEntry e = CpioReader.readTree(initramfs).get("bin/busybox");
        if (e == null) {
            throw new ProvisioningException("initramfs has no bin/busybox");
        }
        return e.data();
    }

    private void requireTools(Arch arch) {
        List<String> missing = new ArrayList<>();
        for (String t : REQUIRED_TOOLS) {
            if (!HostCommand.onPath(t, env.get("PATH"))) {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            throw new ProvisioningException("cannot provision the " + arch + " test guest: " + String.join(", ", missing)
                + " not found (linuxvm downloads Debian's cloud kernel and busybox-static with apt and dpkg). "
                + "Run on a Debian-based host with apt and dpkg installed, or set " + kernelOverrideVariable(arch)
                + " and " + initrdOverrideVariable(arch) + " to your own uncompressed kernel and initramfs.");
        }
    }

    private Path override(String variable) {
        String v = env.get(variable);
        if (v == null || v.isBlank()) {
            return null;
        }
        Path p = Path.of(v);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new ProvisioningException(variable + "=" + v + " does not name a readable file: fix the path or unset it");
        }
        return p;
    }

    private static String sha256(Path p) {
        try {
            return GuestCache.sha256(p);
        } catch (IOException e) {
            throw new ProvisioningException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    static String debField(Path deb, String field) {
        return HostCommand.run(deb.getParent(), List.of("dpkg-deb", "-f", deb.toString(), field)).trim();
    }

    private Path unpack(Path deb, Path into) {
        long t0 = System.nanoTime();
        HostCommand.run(deb.getParent(), List.of("dpkg-deb", "-x", deb.toString(), into.toString()));
        progress.accept(String.format("  dpkg-deb -x %s (%.1f s)", deb.getFileName(), (System.nanoTime() - t0) / 1e9));
        return into;
    }

    static String sanitize(String key) {
        return key.replace(':', '_').replaceAll("[^A-Za-z0-9._+-]", "_");
    }

    private static String mib(Path p) throws IOException {
        return mib(Files.size(p));
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    /** Lists the kernels cached for {@code arch} (directory names), newest first by name. */
    public List<String> cachedEntries(Arch arch) throws IOException {
        Path dir = new GuestCache(cacheRoot).archDir(arch);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
