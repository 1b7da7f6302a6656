package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.loader.KernelFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * KUnit-enabled kernels built from Debian's Linux source ({@link KernelSource}), one per
 * architecture and config, cached: the suites of {@link KunitConfig#SUITES} run at boot, print
 * KTAP, and the kernel then runs our busybox initramfs like any test guest.
 *
 * <pre>{@code
 * KunitKernel k = KunitKernels.forArch(Arch.AARCH64);
 * k.kernel();      // .../kunit/aarch64/linux-source-6.1_6.1.192-3_<config hash>/build/arch/arm64/boot/Image
 * k.initramfs();   // the provisioned busybox initramfs
 * }</pre>
 *
 * <pre>
 * &lt;cache&gt;/kunit/
 *   &lt;arch&gt;/lock                            held while building or verifying that arch's kernels
 *   &lt;arch&gt;/&lt;key&gt;/                          key: {@link #key}: source package_version + 12 hex of the config
 *     build/                               make's O= dir; .kunitconfig is the fragment (kunit.py reads it)
 *     build.log                            make's output
 *     kunit.properties                     source, config hash, kernel path + sha256, build time (written last)
 * </pre>
 * Building: 1. provision the source and the arch's test guest (for its initramfs), outside the
 * lock; 2. assemble the {@link KunitConfig} from the source's KUnit fragments; 3. under the lock,
 * reuse the entry of that key if its manifest is there and the kernel matches its SHA-256;
 * 4. otherwise check the build tools (one line naming each missing tool's package), write the
 * fragment as {@code build/.config} and run {@code make ARCH=… [CROSS_COMPILE=…] olddefconfig}
 * in the source tree, as kunit.py does; 5. fail if an option of the fragment did not survive
 * (an unmet dependency); 6. {@code make -j<cpus>} (the default targets: our vmlinux / Image, and
 * the bzImage / Image.gz kunit.py's QEMU runs); 7. check the kernel's format, write the manifest;
 * 8. delete builds of superseded sources. A killed build leaves no manifest; the next one
 * resumes it (make is incremental).
 */
public final class KunitKernels {
    static final String MANIFEST = "kunit.properties";
    static final String BUILD_DIR = "build";
    static final String LOG = "build.log";
    /** How often a running make reports progress. */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);
    private static final long MAKE_TIMEOUT_MINUTES = 60;

    private final Path cacheRoot;
    private final Map<String, String> env;
    private final Consumer<String> progress;
    private final Supplier<KernelSource.Tree> source;
    private final java.util.function.Function<Arch, Path> initramfs;

    private KunitKernels(Path cacheRoot, Map<String, String> env, Consumer<String> progress,
                         Supplier<KernelSource.Tree> source, java.util.function.Function<Arch, Path> initramfs) {
        this.cacheRoot = cacheRoot;
        this.env = Map.copyOf(env);
        this.progress = progress;
        this.source = source;
        this.initramfs = initramfs;
    }

    /** The KUnit kernel for {@code arch}, building it (minutes; progress on stderr) if needed. */
    public static KunitKernel forArch(Arch arch) {
        return fromEnvironment(line -> System.err.println("linuxvm: " + line)).get(arch);
    }

    /** The default cache, the process environment; {@code progress} receives status lines. */
    public static KunitKernels fromEnvironment(Consumer<String> progress) {
        return of(TestKernels.defaultCacheDir(System.getenv()), System.getenv(), progress);
    }

    /** An explicit cache dir and environment (PATH is where the build tools are looked up). */
    public static KunitKernels of(Path cacheRoot, Map<String, String> env, Consumer<String> progress) {
        KernelSource src = KernelSource.of(cacheRoot, env, progress);
        TestKernels guests = TestKernels.of(cacheRoot, env, progress);
        return new KunitKernels(cacheRoot, env, progress, src::get, arch -> guests.provision(arch, false).initramfs());
    }

    /** With a given source tree and initramfs (tests). */
    static KunitKernels of(Path cacheRoot, Map<String, String> env, Consumer<String> progress, KernelSource.Tree source,
                           Path initramfs) {
        return new KunitKernels(cacheRoot, env, progress, () -> source, arch -> initramfs);
    }

    /** {@code <cache>/kunit}. */
    public Path kunitRoot() {
        return cacheRoot.resolve("kunit");
    }

    /** The cached kernel for {@code arch}, built if there is none for the current source and config. */
    public KunitKernel get(Arch arch) {
        return build(arch, false);
    }

    /** As {@link #get}; with {@code rebuild} the build dir is wiped and the kernel built again. */
    public KunitKernel build(Arch arch, boolean rebuild) {
        // Outside the lock: both take locks of their own.
        KernelSource.Tree src = source.get();
        Path initrd = initramfs.apply(arch);
        KunitConfig config = KunitConfig.forArch(arch, src.kunitTool());
        String key = key(src, config);
        Path dir = kunitRoot().resolve(arch.unameMachine()).resolve(key);
        // One lock per arch: the two arches build side by side.
        return GuestCache.withLock(kunitRoot().resolve(arch.unameMachine()).resolve("lock"), progress, () -> {
            if (!rebuild) {
                KunitKernel cached = cached(arch, dir, src, initrd, config);
                if (cached != null) {
                    return cached;
                }
            }
            return make(arch, dir, src, initrd, config, rebuild);
        });
    }

    /** "linux-source-6.1_6.1.192-3_0123456789ab": the source and 12 hex of the config fragment. */
    static String key(KernelSource.Tree src, KunitConfig config) {
        return src.key() + "_" + config.sha256().substring(0, 12);
    }

    /** The build tools for {@code arch} on a {@code host} machine, each with its Debian package. */
    static List<HostTool> tools(Arch arch, Arch host) {
        KunitTarget t = KunitTarget.of(arch);
        List<HostTool> tools = new ArrayList<>(List.of(
            HostTool.program("make", "make"),
            HostTool.program("gcc", "gcc"),              // HOSTCC, and CC when not cross-compiling
            HostTool.header("/usr/include/stdio.h", "libc6-dev"),
            HostTool.program("flex", "flex"),
            HostTool.program("bison", "bison"),
            HostTool.program("bc", "bc"),                // kernel/time/timeconst.bc
            HostTool.program("perl", "perl")));
        if (t.crossFrom(host)) {
            tools.add(HostTool.program(t.crossPrefix() + "gcc", t.crossPackage()));
        }
        if (arch == Arch.X86_64) {
            tools.add(HostTool.header("/usr/include/gelf.h", "libelf-dev")); // objtool (ORC unwinder)
        }
        return tools;
    }

    private KunitKernel cached(Arch arch, Path dir, KernelSource.Tree src, Path initrd, KunitConfig config) {
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return null;
        }
        try {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(manifest)) {
                p.load(r);
            }
            KunitKernel k = kernel(arch, dir, src, initrd, p);
            if (!config.sha256().equals(p.getProperty("config.sha256"))
                || !GuestCache.verified(k.kernel(), k.kernelSha256())) {
                progress.accept("KUnit kernel " + dir + " does not match its manifest: building again");
                return null;
            }
            progress.accept("[" + arch + "] KUnit kernel " + k.kernel());
            return k;
        } catch (IOException | RuntimeException e) {
            progress.accept("KUnit kernel " + dir + " is unreadable (" + e.getMessage() + "): building again");
            return null;
        }
    }

    private static KunitKernel kernel(Arch arch, Path dir, KernelSource.Tree src, Path initrd, Properties p) {
        return new KunitKernel(arch, dir.resolve(p.getProperty("kernel.file")), initrd, dir.resolve(BUILD_DIR),
            src.root(), p.getProperty("source.version"), p.getProperty("config.sha256"), p.getProperty("kernel.sha256"),
            Duration.ofMillis(Long.parseLong(p.getProperty("build.millis"))));
    }

    private KunitKernel make(Arch arch, Path dir, KernelSource.Tree src, Path initrd, KunitConfig config, boolean wipe) {
        KunitTarget target = KunitTarget.of(arch);
        Arch host = Arch.host() == null ? Arch.X86_64 : Arch.host();
        HostTool.require("build the KUnit " + arch + " kernel", tools(arch, host), env.get("PATH"));
        try {
            Files.deleteIfExists(dir.resolve(MANIFEST)); // incomplete until the manifest is back
            Path build = dir.resolve(BUILD_DIR);
            if (wipe) {
                GuestCache.deleteTree(build);
            }
            Files.createDirectories(build);
            List<String> base = new ArrayList<>(List.of("make", "ARCH=" + target.linuxArch(), "O=" + build));
            if (target.crossFrom(host)) {
                base.add("CROSS_COMPILE=" + target.crossPrefix());
            }
            int jobs = Runtime.getRuntime().availableProcessors();
            progress.accept("[" + arch + "] building the KUnit kernel " + dir.getFileName() + " from " + src.packageName()
                + " " + src.packageVersion() + " (make -j" + jobs + ", log " + dir.resolve(LOG) + ")");
            long t0 = System.nanoTime();

            // 4. The fragment as .config, then olddefconfig: kunit.py's way (kunit_kernel.py build_config).
            Files.writeString(build.resolve(".kunitconfig"), config.text());
            Files.writeString(build.resolve(".config"), config.text());
            Path log = dir.resolve(LOG);
            try (Writer w = Files.newBufferedWriter(log)) {
                run(arch, src.root(), concat(base, "olddefconfig"), w, log);
                // 5.
                List<String> missing = config.missingFrom(Files.readString(build.resolve(".config")));
                if (!missing.isEmpty()) {
                    throw new ProvisioningException("the KUnit config for " + arch + " lost options in olddefconfig (unmet "
                        + "dependencies; see " + build.resolve(".config") + "): " + String.join(", ", missing));
                }
                // 6.
                run(arch, src.root(), concat(base, "-j" + jobs), w, log);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);

            // 7.
            Path kernel = build.resolve(target.kernelPath());
            checkKernel(arch, kernel);
            String sha = GuestCache.sha256(kernel);
            Properties p = new Properties();
            p.setProperty("arch", arch.unameMachine());
            p.setProperty("source.package", src.packageName());
            p.setProperty("source.version", src.packageVersion());
            p.setProperty("source.dir", src.root().toString());
            p.setProperty("config.sha256", config.sha256());
            p.setProperty("config.revision", Integer.toString(KunitConfig.REVISION));
            p.setProperty("suites", String.join(",", KunitConfig.SUITES.keySet()));
            p.setProperty("kernel.file", dir.relativize(kernel).toString());
            p.setProperty("kernel.sha256", sha);
            p.setProperty("build.millis", Long.toString(took.toMillis()));
            p.setProperty("make.jobs", Integer.toString(jobs));
            StringWriter sw = new StringWriter();
            p.store(sw, "linuxvm KUnit kernel; the kernel is verified against kernel.sha256 on every use");
            GuestCache.writeAtomically(dir.resolve(MANIFEST), sw.toString().getBytes(StandardCharsets.UTF_8));
            progress.accept(String.format("  built %s (%.1f MiB) in %.1f s", kernel, Files.size(kernel) / 1048576.0,
                took.toMillis() / 1000.0));
            pruneOtherSources(arch, src);
            return kernel(arch, dir, src, initrd, p);
        } catch (IOException e) {
            throw new ProvisioningException("building the KUnit " + arch + " kernel in " + dir + " failed: "
                + GuestCache.describe(e), e);
        }
    }

    /** Rejects a build result our loaders would not take (checked before it is recorded). */
    static void checkKernel(Arch arch, Path kernel) throws IOException {
        if (!Files.isRegularFile(kernel)) {
            throw new ProvisioningException("the KUnit " + arch + " build left no " + kernel);
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(kernel)) {
            head = in.readNBytes(KernelFormat.SNIFF_SIZE);
        }
        KernelFormat f = KernelFormat.detect(head);
        boolean ok = arch == Arch.X86_64
            ? f.kind() == KernelFormat.Kind.ELF && f.elfMachine() == KernelFormat.EM_X86_64
            : f.kind() == KernelFormat.Kind.ARM64_IMAGE;
        if (!ok) {
            throw new ProvisioningException("the KUnit " + arch + " build's " + kernel.getFileName() + " is " + f.describe()
                + ", expected " + (arch == Arch.X86_64 ? "an x86-64 ELF vmlinux" : "an arm64 Image"));
        }
    }

    /** Runs make in the source tree, its output to {@code log}, a progress line every 30 s. */
    private void run(Arch arch, Path cwd, List<String> cmd, Writer log, Path logFile) throws IOException {
        log.write("$ " + String.join(" ", cmd) + "\n");
        log.flush();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (env.get("PATH") != null) {
            pb.environment().put("PATH", env.get("PATH"));
        }
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("MAKEFLAGS");
        Process proc = pb.start();
        Deque<String> tail = new ArrayDeque<>();
        long start = System.nanoTime();
        long nextReport = start + PROGRESS_EVERY.toNanos();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                log.write(line);
                log.write('\n');
                tail.addLast(line);
                if (tail.size() > 40) {
                    tail.removeFirst();
                }
                long now = System.nanoTime();
                if (now >= nextReport) {
                    log.flush();
                    progress.accept(String.format("  [%s] make: %d s, %s", arch, (now - start) / 1_000_000_000L, line.strip()));
                    nextReport = now + PROGRESS_EVERY.toNanos();
                }
            }
        }
        try {
            if (!proc.waitFor(MAKE_TIMEOUT_MINUTES, java.util.concurrent.TimeUnit.MINUTES)) {
                proc.destroyForcibly();
                throw new ProvisioningException("'" + String.join(" ", cmd) + "' did not finish within " + MAKE_TIMEOUT_MINUTES
                    + " minutes (log: " + logFile + ")");
            }
        } catch (InterruptedException e) {
            proc.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ProvisioningException("interrupted while running '" + String.join(" ", cmd) + "'", e);
        }
        log.flush();
        if (proc.exitValue() != 0) {
            List<String> errors = tail.stream().filter(l -> l.contains("error") || l.contains("Error")).toList();
            throw new ProvisioningException("'" + String.join(" ", cmd) + "' failed with exit status " + proc.exitValue()
                + " (log: " + logFile + "): " + String.join(" | ", errors.isEmpty() ? List.copyOf(tail) : errors));
        }
    }

    /** Deletes this arch's builds from other source versions (their tree is gone once superseded). */
    private void pruneOtherSources(Arch arch, KernelSource.Tree src) throws IOException {
        try (Stream<Path> s = Files.list(kunitRoot().resolve(arch.unameMachine()))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isDirectory(p) && !p.getFileName().toString().startsWith(src.key() + "_")) {
                    progress.accept("  removing a build of another source: " + p);
                    GuestCache.deleteTree(p);
                }
            }
        }
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> all = new ArrayList<>(a);
        all.add(b);
        return all;
    }
}
