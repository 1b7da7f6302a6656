package dev.linuxvm.kernels;

import dev.linuxvm.engine.initramfs.CpioWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The KVM lab's base archive: one uncompressed cpio newc file laid over the guest initramfs
 * (see {@link KvmLabImage}). Files are streamed from disk when the archive is written.
 *
 * <p>Paths are added first come, first served: a second file at the same path is skipped, so the
 * Debian packages, added first, win over the host's copies of the same libraries. The archive
 * must not replace what the guest initramfs and the per-run overlay own ({@link #FORBIDDEN}).
 */
final class LabArchive {
    /** Inode numbers above the guest initramfs' (which start at 1) and below the overlay's (1,000,000). */
    static final long FIRST_INODE = 10_000;

    /** The guest initramfs' /init and shell, and the per-run overlay's command. */
    static final List<String> FORBIDDEN = List.of("init", "bin/sh", GuestInitramfs.EXEC_PATH.substring(1));

    /**
     * What is left out of the unpacked packages: documentation, debugger and packaging metadata,
     * iconv modules (the JVM does not use iconv), the JDK's symbol table for {@code javac --release},
     * and the class-data-sharing archives (the lab runs {@code java -Xshare:off}).
     */
    static final List<String> EXCLUDED = List.of(
        "usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale", "usr/share/lintian",
        "usr/share/bug", "usr/share/gdb", "usr/share/gcc", "usr/share/binfmts", "usr/lib/debug",
        "usr/lib/*/gconv",
        "usr/lib/jvm/*/legal", "usr/lib/jvm/*/man", "usr/lib/jvm/*/docs", "usr/lib/jvm/*/lib/ct.sym",
        "usr/lib/jvm/*/lib/server/*.jsa");

    private static final List<PathMatcher> EXCLUDE_MATCHERS = EXCLUDED.stream()
        .map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();

    private final CpioWriter cpio = new CpioWriter(FIRST_INODE);
    private final Set<String> names = new HashSet<>();
    private long contentBytes;

    /**
     * Adds a tree unpacked with {@code dpkg-deb -x}: directories before their contents, sorted by
     * name, symlinks as symlinks, permission bits as on disk, {@link #EXCLUDED} paths left out.
     */
    void addTree(Path root) throws IOException {
        addChildren(root, root);
    }

    private void addChildren(Path root, Path dir) throws IOException {
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = s.sorted().toList();
        }
        for (Path p : children) {
            Path rel = root.relativize(p);
            if (EXCLUDE_MATCHERS.stream().anyMatch(m -> m.matches(rel))) {
                continue;
            }
            String name = rel.toString();
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
            if (Files.isSymbolicLink(p)) {
                addSymlink(name, Files.readSymbolicLink(p).toString());
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                if (names.add(name)) {
                    cpio.addDirectory(name, mode);
                }
                addChildren(root, p);
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                addFile(name, mode, p);
            }
            // dpkg-deb -x yields no device nodes or fifos from these packages; anything else is skipped.
        }
    }

    /** Adds the contents of {@code source} at {@code name}; returns false if the path was taken already. */
    boolean addFile(String name, int mode, Path source) {
        String n = strip(name);
        if (!names.add(n)) {
            return false;
        }
        cpio.addFile(n, mode, source);
        try {
            contentBytes += Files.size(source);
        } catch (IOException e) {
            throw new ProvisioningException("cannot read " + source + ": " + GuestCache.describe(e), e);
        }
        return true;
    }

    /** Adds a symlink; returns false if the path was taken already. */
    boolean addSymlink(String name, String target) {
        String n = strip(name);
        if (!names.add(n)) {
            return false;
        }
        cpio.addSymlink(n, target);
        return true;
    }

    /**
     * Adds a host file at its own absolute path: its contents (symlinks resolved), except links
     * in QEMU's firmware dir, which stay links. Returns false if the path was taken already.
     */
    boolean addHostFile(Path file) throws IOException {
        if (HostQemu.keepAsLink(file)) {
            return addSymlink(file.toString(), Files.readSymbolicLink(file).toString());
        }
        return addFile(file.toString(), HostQemu.permissions(file), file.toRealPath());
    }

    boolean contains(String name) {
        return names.contains(strip(name));
    }

    int entries() {
        return names.size();
    }

    long contentBytes() {
        return contentBytes;
    }

    /** Writes the archive to {@code target} (synced to disk); returns its hex SHA-256. */
    String writeTo(Path target) throws IOException {
        for (String f : FORBIDDEN) {
            if (names.contains(f)) {
                throw new ProvisioningException("the KVM lab archive must not contain /" + f
                    + " (it belongs to the guest initramfs or the per-run overlay)");
            }
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(target), 1 << 20), md)) {
            cpio.writeTo(out);
        }
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String strip(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }
}
