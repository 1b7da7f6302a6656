package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The on-disk cache of provisioned guests.
 *
 * <pre>
 * &lt;cache&gt;/                              $LINUXVM_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/linuxvm
 *   lock                                 held (fcntl lock) while provisioning or verifying
 *   apt/                                 private apt state (lists, package cache)
 *   tmp/                                 work dirs of running provisionings (wiped under the lock)
 *   guests/&lt;arch&gt;/current                 name of the guest dir in use (written atomically)
 *   guests/&lt;arch&gt;/&lt;key&gt;/                 key = release_kernelpkgver_busybox-ver_rREVISION
 *     vmlinux | Image, initramfs.cpio.gz
 *     guest.properties                   versions + sha256 of both files (written last)
 *     .vmlinux.verified, ...             the file state at the last matching hash
 * </pre>
 * Every file is written to a temp name and renamed, the manifest after the files and the
 * {@code current} pointer after the manifest, so a killed provisioning never leaves something
 * that looks complete. On reuse the files' SHA-256 are re-checked whenever a file's state
 * (size, mtime, ctime, inode) differs from the last check's ({@link #verified}).
 */
final class GuestCache {
    static final String MANIFEST = "guest.properties";
    static final String CURRENT = "current";
    static final String INITRAMFS_FILE = "initramfs.cpio.gz";

    private static final Map<String, String> VERIFIED = new ConcurrentHashMap<>();

    final Path root;

    GuestCache(Path root) {
        this.root = root;
    }

    static String kernelFileName(Arch arch) {
        return arch == Arch.X86_64 ? "vmlinux" : "Image";
    }

    Path archDir(Arch arch) {
        return root.resolve("guests").resolve(arch.unameMachine());
    }

    Path tmpDir() {
        return root.resolve("tmp");
    }

    /** Runs {@code body} holding the cache lock (across JVMs via a file lock, within this JVM via a monitor). */
    <T> T locked(java.util.function.Consumer<String> progress, java.util.function.Supplier<T> body) {
        return withLock(root.resolve("lock"), progress, body);
    }

    private static final Map<Path, Object> FILE_LOCK_MONITORS = new ConcurrentHashMap<>();

    /**
     * Runs {@code body} holding {@code lockFile} (a file lock across JVMs, a monitor per lock file
     * within this JVM), for long jobs that must not hold the guest cache's own lock: a KUnit
     * kernel build takes minutes, and test JVMs waiting for their guest should not wait for it.
     */
    static <T> T withLock(Path lockFile, java.util.function.Consumer<String> progress, java.util.function.Supplier<T> body) {
        Path key = lockFile.toAbsolutePath().normalize();
        synchronized (FILE_LOCK_MONITORS.computeIfAbsent(key, k -> new Object())) {
            try {
                Files.createDirectories(key.getParent());
                try (FileChannel ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    FileLock lock = ch.tryLock();
                    if (lock == null) {
                        progress.accept("waiting for another process holding " + key + " ...");
                        lock = ch.lock();
                    }
                    try {
                        return body.get();
                    } finally {
                        lock.release();
                    }
                }
            } catch (IOException e) {
                throw new ProvisioningException("cannot create or lock " + key + ": " + describe(e)
                    + " (set LINUXVM_CACHE to a writable directory)", e);
            }
        }
    }

    /**
     * The kernel file of {@code arch}'s current entry, read without the lock and unverified (null
     * when there is none): a hint for what is about to boot, never what boots.
     */
    Path peekKernel(Arch arch) {
        try {
            Path dir = currentDir(arch);
            String file = readManifest(dir.resolve(MANIFEST)).getProperty("kernel.file");
            return file == null ? null : dir.resolve(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The directory {@code arch}'s {@link #CURRENT} pointer names. */
    private Path currentDir(Arch arch) throws IOException {
        return archDir(arch).resolve(Files.readString(archDir(arch).resolve(CURRENT)).trim());
    }

    private static Properties readManifest(Path manifest) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(manifest)) {
            p.load(r);
        }
        return p;
    }

    /** The current guest of {@code arch} if it is complete and its checksums match, else null. */
    TestKernel current(Arch arch, java.util.function.Consumer<String> progress) {
        if (!Files.isRegularFile(archDir(arch).resolve(CURRENT))) {
            return null;
        }
        try {
            Path dir = currentDir(arch);
            Path manifest = dir.resolve(MANIFEST);
            if (!Files.isRegularFile(manifest)) {
                progress.accept("cache entry " + dir + " has no manifest: provisioning again");
                return null;
            }
            Properties p = readManifest(manifest);
            if (!Integer.toString(GuestInitramfs.REVISION).equals(p.getProperty("initramfs.revision"))) {
                progress.accept("cache entry " + dir + " has initramfs revision " + p.getProperty("initramfs.revision")
                    + ", this build needs " + GuestInitramfs.REVISION + ": provisioning again");
                return null;
            }
            TestKernel k = new TestKernel(arch, dir.resolve(p.getProperty("kernel.file")),
                dir.resolve(p.getProperty("initramfs.file")), p.getProperty("kernel.release"),
                p.getProperty("kernel.package.version"), p.getProperty("busybox.package.version"),
                p.getProperty("kernel.sha256"), p.getProperty("initramfs.sha256"));
            if (!verified(k.kernel(), k.kernelSha256()) || !verified(k.initramfs(), k.initramfsSha256())) {
                progress.accept("cache entry " + dir + " is corrupt (sha256 mismatch or missing file): provisioning again");
                return null;
            }
            return k;
        } catch (IOException | RuntimeException e) {
            progress.accept("cache entry for " + arch + " is unreadable (" + e.getMessage() + "): provisioning again");
            return null;
        }
    }

    /**
     * Whether {@code file} has SHA-256 {@code expected}. Hashing the 53 MB vmlinux costs a cold
     * JVM ~0.2 s, so a match is remembered, per JVM and across runs in a stamp file beside it
     * ({@link #stampOf}), for as long as the file's state stays: size, modification and
     * status-change time (ns) and inode. A write changes ctime, which no one can set back, so any
     * change to the bytes is hashed again; a stamp that cannot be written costs only the hash.
     */
    static boolean verified(Path file, String expected) throws IOException {
        if (expected == null || !Files.isRegularFile(file)) {
            return false;
        }
        String key = file.toAbsolutePath() + "|" + fileState(file) + "|" + expected;
        if (VERIFIED.containsKey(key)) {
            return true;
        }
        Path stamp = stampOf(file);
        try {
            if (Files.isRegularFile(stamp) && Files.readString(stamp).equals(key)) {
                VERIFIED.put(key, key);
                return true;
            }
        } catch (IOException e) {
            // unreadable stamp: hash
        }
        boolean ok = sha256(file).equals(expected);
        if (ok) {
            VERIFIED.put(key, key);
            writeStamp(stamp, key);
        }
        return ok;
    }

    /** {@code .<name>.verified} beside {@code file}. */
    static Path stampOf(Path file) {
        return file.resolveSibling("." + file.getFileName() + ".verified");
    }

    /** Size, mtime, ctime and file key (device and inode), as far as the file system tells them. */
    private static String fileState(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        // ctime in nanoseconds, not FileTime.toString(): its ISO-8601 formatting costs every
        // CLI start 3 ms (the first java.time formatter)
        String ctime;
        try {
            ctime = String.valueOf(((FileTime) Files.getAttribute(file, "unix:ctime")).to(TimeUnit.NANOSECONDS));
        } catch (UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            ctime = "-";
        }
        return a.size() + "@" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS) + "@" + ctime + "@" + a.fileKey();
    }

    private static void writeStamp(Path stamp, String key) {
        Path tmp = stamp.resolveSibling(stamp.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.writeString(tmp, key);
            Files.move(tmp, stamp, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a read-only cache: the next run hashes again
            }
        }
    }

    /** Stores a finished guest and makes it current; returns it. */
    TestKernel store(Arch arch, String key, byte[] kernel, byte[] initramfs, String release, String kernelPkgVersion,
                     String busyboxVersion) {
        Path dir = archDir(arch).resolve(key);
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(MANIFEST)); // the entry is incomplete until the manifest is back
            Path kernelFile = dir.resolve(kernelFileName(arch));
            Path initrdFile = dir.resolve(INITRAMFS_FILE);
            writeAtomically(kernelFile, kernel);
            writeAtomically(initrdFile, initramfs);
            TestKernel k = new TestKernel(arch, kernelFile, initrdFile, release, kernelPkgVersion, busyboxVersion,
                sha256(kernel), sha256(initramfs));
            Properties p = new Properties();
            p.setProperty("arch", arch.unameMachine());
            p.setProperty("kernel.file", kernelFile.getFileName().toString());
            p.setProperty("kernel.sha256", k.kernelSha256());
            p.setProperty("kernel.release", release);
            p.setProperty("kernel.package.version", kernelPkgVersion);
            p.setProperty("busybox.package.version", busyboxVersion);
            p.setProperty("initramfs.file", initrdFile.getFileName().toString());
            p.setProperty("initramfs.sha256", k.initramfsSha256());
            p.setProperty("initramfs.revision", Integer.toString(GuestInitramfs.REVISION));
            java.io.StringWriter sw = new java.io.StringWriter();
            p.store(sw, "linuxvm provisioned guest; files are verified against these sha256 on every use");
            writeAtomically(dir.resolve(MANIFEST), sw.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            writeAtomically(archDir(arch).resolve(CURRENT), (key + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            pruneExcept(arch, key);
            return k;
        } catch (IOException e) {
            throw new ProvisioningException("cannot write the provisioned " + arch + " guest to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the arch's other (superseded) guest dirs; processes still using their files keep them open. */
    private void pruneExcept(Arch arch, String key) throws IOException {
        try (Stream<Path> s = Files.list(archDir(arch))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isDirectory(p) && !p.getFileName().toString().equals(key)) {
                    deleteTree(p);
                }
            }
        }
    }

    /** An IOException as one phrase: NIO's messages are often just the path. */
    static String describe(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f) {
            return e.getClass().getSimpleName().replace("Exception", "")
                + (f.getReason() != null ? " (" + f.getReason() + ")" : "") + " on " + f.getFile();
        }
        return e.getMessage();
    }

    static void writeAtomically(Path target, byte[] data) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(data);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Removes leftovers of killed provisionings (call under the lock). */
    void wipeTmp() throws IOException {
        Path tmp = tmpDir();
        if (Files.exists(tmp)) {
            deleteTree(tmp);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(digest().digest(data));
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
