package dev.linuxvm.kernels;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Debian's Linux source ({@value #PACKAGE}), unpacked into the cache: what the KUnit kernels are
 * built from ({@link KunitKernels}) and where {@code tools/testing/kunit} (kunit.py, its parser and
 * configs) comes from.
 *
 * <pre>{@code
 * KernelSource.Tree src = KernelSource.fromEnvironment(System.out::println).get();
 * src.root();        // .../source/linux-source-6.1_6.1.192-3
 * src.kunitTool();   // .../tools/testing/kunit
 * }</pre>
 *
 * <pre>
 * &lt;cache&gt;/source/
 *   lock                                   held while provisioning or verifying
 *   current                                name of the tree in use (written last)
 *   &lt;key&gt;/                                  the unpacked tree; key = package_version
 *   &lt;key&gt;.properties                       package, version, files and bytes of the tree (written after it)
 *   tmp/                                   work dirs of running provisionings (wiped under the lock)
 * </pre>
 * Provisioning: 1. under the lock, reuse the current tree if its manifest's file count and byte
 * total still match (no network; checked once per JVM; {@code __pycache__} dirs, which running
 * kunit.py adds, are not counted); 2. otherwise {@code apt-get download} the package with the
 * private apt state (updating the lists once if that fails); 3. {@code dpkg-deb -x}, then
 * {@code tar xf} of the {@code usr/src/linux-source-*.tar.xz} inside, in a work dir; 4. rename the
 * tree into place, write the manifest, then {@code current}; 5. delete superseded trees.
 */
public final class KernelSource {
    /** The Debian package (Architecture: all) holding the source tarball. */
    public static final String PACKAGE = "linux-source-6.1";

    static final String CURRENT = "current";
    static final String MANIFEST_SUFFIX = ".properties";
    /** Added to the tree by running kunit.py (Python's bytecode cache); not part of the package. */
    private static final String PYCACHE = "__pycache__";

    /** Tools provisioning runs ({@code tar} needs {@code xz} for the .tar.xz inside the package). */
    static final List<HostTool> TOOLS = List.of(
        HostTool.program("apt-get", "apt"),
        HostTool.program("dpkg-deb", "dpkg"),
        HostTool.program("tar", "tar"),
        HostTool.program("xz", "xz-utils"));

    private static final Set<String> VERIFIED = ConcurrentHashMap.newKeySet();

    /**
     * An unpacked source tree.
     *
     * @param root           the tree (holds {@code Makefile}, {@code tools/testing/kunit}, ...)
     * @param packageName    {@value #PACKAGE}
     * @param packageVersion the Debian package version, e.g. "6.1.192-3"
     */
    public record Tree(Path root, String packageName, String packageVersion) {
        /** {@code tools/testing/kunit}: kunit.py, kunit_parser.py, configs/, qemu_configs/. */
        public Path kunitTool() {
            return root.resolve("tools/testing/kunit");
        }

        /** "linux-source-6.1_6.1.192-3": the cache key, and part of every KUnit kernel's key. */
        public String key() {
            return TestKernels.sanitize(packageName + "_" + packageVersion);
        }
    }

    private final Path cacheRoot;
    private final Map<String, String> env;
    private final Consumer<String> progress;

    private KernelSource(Path cacheRoot, Map<String, String> env, Consumer<String> progress) {
        this.cacheRoot = cacheRoot;
        this.env = Map.copyOf(env);
        this.progress = progress;
    }

    /** The default cache ({@link TestKernels#defaultCacheDir}) and the process environment. */
    public static KernelSource fromEnvironment(Consumer<String> progress) {
        return new KernelSource(TestKernels.defaultCacheDir(System.getenv()), System.getenv(), progress);
    }

    /** An explicit cache dir and environment (PATH is where tools are looked up). */
    public static KernelSource of(Path cacheRoot, Map<String, String> env, Consumer<String> progress) {
        return new KernelSource(cacheRoot, env, progress);
    }

    /** {@code <cache>/source}. */
    public Path sourceRoot() {
        return cacheRoot.resolve("source");
    }

    /** The cached tree, provisioning it if there is none (or it is damaged). */
    public Tree get() {
        return provision(false);
    }

    /** As {@link #get()}; with {@code refresh} the lists are updated and the newest package is fetched. */
    public Tree provision(boolean refresh) {
        return GuestCache.withLock(sourceRoot().resolve("lock"), progress, () -> {
            if (!refresh) {
                Tree cached = current();
                if (cached != null) {
                    return cached;
                }
            }
            HostTool.require("provision " + PACKAGE, TOOLS, env.get("PATH"));
            // The private apt state is the guest cache's: use it under that cache's lock.
            GuestCache guests = new GuestCache(cacheRoot);
            PrivateApt apt = new PrivateApt(cacheRoot, progress);
            Path deb = guests.locked(progress, () -> {
                Path debs = work("download");
                return apt.withFreshListsOnFailure(refresh, () -> {
                    apt.ensureLists();
                    return download(apt, debs);
                });
            });
            return unpackAndStore(deb);
        });
    }

    private Path download(PrivateApt apt, Path dir) {
        progress.accept("downloading " + PACKAGE + " (Debian's kernel source, ~140 MB)");
        long t0 = System.nanoTime();
        Path deb = apt.downloadIndependent(PACKAGE, dir);
        progress.accept(String.format("  %s (%.1f MiB) in %.1f s", deb.getFileName(), deb.toFile().length() / 1048576.0,
            (System.nanoTime() - t0) / 1e9));
        return deb;
    }

    /** A fresh work dir under {@code source/tmp}, wiping leftovers of killed runs (call under the lock). */
    private Path work(String name) {
        try {
            Path tmp = sourceRoot().resolve("tmp");
            if (name.equals("download")) {
                GuestCache.deleteTree(tmp);
            }
            return Files.createDirectories(tmp.resolve(name));
        } catch (IOException e) {
            throw new ProvisioningException("cannot create a work dir under " + sourceRoot() + ": " + GuestCache.describe(e), e);
        }
    }

    /** Unpacks a downloaded linux-source .deb into the cache and makes it current (call under the lock). */
    Tree unpackAndStore(Path deb) {
        try {
            String version = TestKernels.debField(deb, "Version");
            String name = TestKernels.debField(deb, "Package");
            Tree target = new Tree(sourceRoot().resolve(TestKernels.sanitize(name + "_" + version)), name, version);

            long t0 = System.nanoTime();
            Path extracted = work("deb");
            HostCommand.run(deb.getParent(), List.of("dpkg-deb", "-x", deb.toString(), extracted.toString()));
            Path tarball;
            try (Stream<Path> s = Files.list(extracted.resolve("usr/src"))) {
                tarball = s.filter(p -> p.getFileName().toString().matches("linux-source-.*\\.tar\\.(xz|bz2|gz)"))
                    .findFirst().orElseThrow(() -> new ProvisioningException(deb.getFileName()
                        + " holds no usr/src/linux-source-*.tar.xz"));
            }
            Files.delete(deb); // the tarball is all that is needed now; keeps the peak disk use down
            Path unpacked = work("tree");
            HostCommand.run(unpacked, List.of("tar", "xf", tarball.toString(), "-C", unpacked.toString()));
            GuestCache.deleteTree(extracted);
            Path top;
            try (Stream<Path> s = Files.list(unpacked)) {
                List<Path> dirs = s.filter(Files::isDirectory).toList();
                if (dirs.size() != 1 || !Files.isRegularFile(dirs.get(0).resolve("Makefile"))) {
                    throw new ProvisioningException(tarball.getFileName() + " did not unpack to one source tree with a "
                        + "Makefile (got " + dirs + ")");
                }
                top = dirs.get(0);
            }
            TreeStats stats = TreeStats.of(top);
            progress.accept(String.format("  unpacked %s %s: %d files, %.0f MiB in %.1f s", name, version, stats.files(),
                stats.bytes() / 1048576.0, (System.nanoTime() - t0) / 1e9));

            Files.deleteIfExists(manifest(target));
            GuestCache.deleteTree(target.root());
            move(top, target.root());
            Properties p = new Properties();
            p.setProperty("package", name);
            p.setProperty("package.version", version);
            p.setProperty("files", Long.toString(stats.files()));
            p.setProperty("bytes", Long.toString(stats.bytes()));
            StringWriter sw = new StringWriter();
            p.store(sw, "linuxvm kernel source; the tree is checked against these counts on first use per JVM");
            GuestCache.writeAtomically(manifest(target), sw.toString().getBytes(StandardCharsets.UTF_8));
            GuestCache.writeAtomically(sourceRoot().resolve(CURRENT),
                (target.root().getFileName() + "\n").getBytes(StandardCharsets.UTF_8));
            prune(target);
            GuestCache.deleteTree(sourceRoot().resolve("tmp"));
            progress.accept("  stored " + target.root());
            return target;
        } catch (IOException e) {
            throw new ProvisioningException("provisioning " + PACKAGE + " failed: " + GuestCache.describe(e), e);
        }
    }

    /** The current tree if its manifest is there and the tree still matches it, else null. */
    Tree current() {
        Path pointer = sourceRoot().resolve(CURRENT);
        if (!Files.isRegularFile(pointer)) {
            return null;
        }
        try {
            Path root = sourceRoot().resolve(Files.readString(pointer).trim());
            Path manifest = root.resolveSibling(root.getFileName() + MANIFEST_SUFFIX);
            if (!Files.isRegularFile(manifest) || !Files.isDirectory(root)) {
                progress.accept("kernel source " + root + " is incomplete: provisioning again");
                return null;
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(manifest)) {
                p.load(r);
            }
            Tree tree = new Tree(root, p.getProperty("package"), p.getProperty("package.version"));
            String expected = p.getProperty("files") + " files, " + p.getProperty("bytes") + " bytes";
            String seen = root + "|" + Files.getLastModifiedTime(manifest).toMillis() + "|" + expected;
            if (!VERIFIED.contains(seen)) {
                TreeStats stats = TreeStats.of(root);
                String actual = stats.files() + " files, " + stats.bytes() + " bytes";
                if (!actual.equals(expected)) {
                    progress.accept("kernel source " + root + " has " + actual + ", its manifest says " + expected
                        + ": provisioning again");
                    return null;
                }
                VERIFIED.add(seen);
            }
            return tree;
        } catch (IOException | RuntimeException e) {
            progress.accept("kernel source in " + sourceRoot() + " is unreadable (" + e.getMessage() + "): provisioning again");
            return null;
        }
    }

    private Path manifest(Tree tree) {
        return tree.root().resolveSibling(tree.root().getFileName() + MANIFEST_SUFFIX);
    }

    /** Deletes other trees and their manifests; builds from them keep working only until then. */
    private void prune(Tree keep) throws IOException {
        String k = keep.root().getFileName().toString();
        try (Stream<Path> s = Files.list(sourceRoot())) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (n.equals(k) || n.equals(k + MANIFEST_SUFFIX) || n.equals(CURRENT) || n.equals("lock") || n.equals("tmp")) {
                    continue;
                }
                progress.accept("  removing superseded " + p);
                GuestCache.deleteTree(p);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Regular files and their total size under a tree, without {@code __pycache__} dirs. */
    record TreeStats(long files, long bytes) {
        static TreeStats of(Path root) throws IOException {
            long[] n = new long[2];
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return dir.getFileName().toString().equals(PYCACHE) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        n[0]++;
                        n[1] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            return new TreeStats(n[0], n[1]);
        }
    }
}
