package dev.linuxvm.launcher;

import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.initramfs.CpioWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The overlay initramfs that places {@link GuestFile}s and {@link GuestModules} in the guest:
 * a gzip cpio archive appended to the base initramfs, which the kernel unpacks after it, before
 * {@code /init} runs ({@code Documentation/driver-api/early-userspace/buffer-format.rst}).
 *
 * <p>{@link #plan} checks the entries and expands directories; every problem is a
 * {@link VmmException.Kind#BAD_INPUT} naming the entry: a missing host file, a guest path that is
 * not absolute, two entries placing the same path, or one placing a file where another needs a
 * directory. Two directories at the same path merge.
 */
public final class GuestFilesOverlay {
    /** First inode of this overlay: above the base archive's and the exec overlay's (1,000,000). */
    static final long FIRST_INODE = 2_000_000;
    /** Where modules go: {@code /lib/modules/<release>/}, as kmod and busybox modutils look them up. */
    public static final String MODULES_ROOT = "/lib/modules/";
    /** The dependency list busybox {@code modprobe} reads (kmod's format: {@code path.ko: dep.ko ...}). */
    static final String MODULES_DEP = "modules.dep";
    /** The modinfo key that lists a module's dependencies ({@code scripts/mod/modpost.c}). */
    private static final byte[] DEPENDS = "\0depends=".getBytes(StandardCharsets.US_ASCII);

    /** One path the overlay creates, and the entry that asked for it. */
    record Placed(String guest, Kind kind, int mode, Path host, String target, String entry) {
        enum Kind { DIRECTORY, FILE, SYMLINK, GENERATED }
    }

    private GuestFilesOverlay() {
    }

    /**
     * Checks {@code files} and the module directories without building anything (the module
     * release is not needed). The JUnit extension calls it before any boot.
     *
     * @throws VmmException {@link VmmException.Kind#BAD_INPUT} naming the first bad entry
     */
    public static void check(List<GuestFile> files, List<GuestModules> modules) {
        plan(files, modules.stream().map(m -> new Resolved(m, m.release().orElse("release"))).toList());
    }

    /** A module directory with the release it goes under. */
    record Resolved(GuestModules modules, String release) {
    }

    /** The overlay (gzip cpio) for {@code files} and {@code modules}; see the class comment. */
    public static byte[] build(List<GuestFile> files, List<GuestModules> modules, String release) {
        List<Placed> plan = plan(files, modules.stream().map(m -> new Resolved(m, m.release().orElse(release))).toList());
        CpioWriter w = new CpioWriter(FIRST_INODE);
        Map<String, Placed> placedDirs = new TreeMap<>();
        for (Placed p : plan) {
            if (p.kind() == Placed.Kind.DIRECTORY) {
                placedDirs.put(p.guest(), p);
            }
        }
        for (Placed p : plan) {
            for (String dir : ancestors(p.guest())) {
                Placed own = placedDirs.get(dir);
                w.addDirectory(dir, own != null ? own.mode() : baseDirectoryMode(dir));
            }
            switch (p.kind()) {
                case DIRECTORY -> w.addDirectory(p.guest(), p.mode());
                case FILE -> w.addFile(p.guest(), p.mode(), p.host());
                case SYMLINK -> w.addSymlink(p.guest(), p.target());
                case GENERATED -> w.addFile(p.guest(), p.mode(), p.target());
            }
        }
        return w.toGzip();
    }

    /** Directories the base archive has with another mode than 0755 keep it (GuestInitramfs.base: /tmp is 01777). */
    private static int baseDirectoryMode(String dir) {
        return dir.equals("/tmp") ? 01777 : CpioWriter.DEFAULT_DIRECTORY_MODE;
    }

    /** "/a", "/a/b" for "/a/b/c". */
    private static List<String> ancestors(String path) {
        List<String> out = new ArrayList<>();
        for (int i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
            out.add(path.substring(0, i));
        }
        return out;
    }

    static List<Placed> plan(List<GuestFile> files, List<Resolved> modules) {
        Map<String, Placed> byPath = new LinkedHashMap<>();
        for (GuestFile f : files) {
            String guest = guestPath(f.guest(), "guest file " + f);
            expand(f.host(), guest, f.mode(), "guest file " + f, byPath);
        }
        for (Resolved m : modules) {
            String entry = m.modules().toString();
            if (!Files.isDirectory(m.modules().host())) {
                throw bad(entry + ": " + describeMissing(m.modules().host(), "directory"));
            }
            String root = MODULES_ROOT + m.release();
            expand(m.modules().host(), root, GuestFile.HOST_MODE, entry, byPath);
            if (!Files.exists(m.modules().host().resolve(MODULES_DEP))) {
                place(byPath, new Placed(root + "/" + MODULES_DEP, Placed.Kind.GENERATED, 0644, null,
                        modulesDep(m.modules().host()), entry));
            }
        }
        // A file (or link) where another entry needs a directory.
        for (Placed p : byPath.values()) {
            for (String dir : ancestors(p.guest())) {
                Placed other = byPath.get(dir);
                if (other != null && other.kind() != Placed.Kind.DIRECTORY) {
                    throw bad(other.entry() + " places a file at " + dir + ", but " + p.entry() + " needs it to be a"
                            + " directory for " + p.guest() + ": choose different guest paths");
                }
            }
        }
        return List.copyOf(byPath.values());
    }

    /** The normalised absolute guest path, or BAD_INPUT naming {@code entry}. */
    static String guestPath(String guest, String entry) {
        if (!guest.startsWith("/")) {
            throw bad(entry + ": the guest path '" + guest + "' is not absolute: start it with /");
        }
        String p = guest.length() > 1 && guest.endsWith("/") ? guest.substring(0, guest.length() - 1) : guest;
        if (p.equals("/")) {
            throw bad(entry + ": the guest path is the root directory: name a file or directory below /");
        }
        for (String part : p.substring(1).split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..") || part.indexOf('\0') >= 0) {
                throw bad(entry + ": the guest path '" + guest + "' has an empty, '.' or '..' component");
            }
        }
        return p;
    }

    private static void expand(Path host, String guest, int mode, String entry, Map<String, Placed> byPath) {
        if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
            throw bad(entry + ": " + describeMissing(host, "file or directory"));
        }
        if (!Files.isDirectory(host)) {
            place(byPath, new Placed(guest, Placed.Kind.FILE, fileMode(host, mode), host, null, entry));
            return;
        }
        place(byPath, new Placed(guest, Placed.Kind.DIRECTORY, CpioWriter.DEFAULT_DIRECTORY_MODE, host, null, entry));
        List<Path> tree;
        try (Stream<Path> walk = Files.walk(host)) { // symbolic links are not followed
            tree = walk.skip(1).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw bad(entry + ": cannot list " + host + ": " + e.getMessage());
        }
        for (Path p : tree) {
            String g = guest + "/" + host.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
            if (Files.isSymbolicLink(p)) {
                try {
                    place(byPath, new Placed(g, Placed.Kind.SYMLINK, 0777, p, Files.readSymbolicLink(p).toString(), entry));
                } catch (IOException e) {
                    throw bad(entry + ": cannot read the link " + p + ": " + e.getMessage());
                }
            } else if (Files.isDirectory(p)) {
                place(byPath, new Placed(g, Placed.Kind.DIRECTORY, CpioWriter.DEFAULT_DIRECTORY_MODE, p, null, entry));
            } else if (Files.isRegularFile(p)) {
                place(byPath, new Placed(g, Placed.Kind.FILE, fileMode(p, mode), p, null, entry));
            } else {
                throw bad(entry + ": " + p + " is neither a file, a directory nor a symbolic link");
            }
        }
    }

    private static void place(Map<String, Placed> byPath, Placed p) {
        Placed before = byPath.get(p.guest());
        if (before == null) {
            byPath.put(p.guest(), p);
        } else if (before.kind() != Placed.Kind.DIRECTORY || p.kind() != Placed.Kind.DIRECTORY) {
            throw bad(before.entry() + " and " + p.entry() + " both place " + p.guest() + ": keep one");
        }
    }

    private static int fileMode(Path host, int mode) {
        if (mode != GuestFile.HOST_MODE) {
            return mode;
        }
        try {
            return Files.getPosixFilePermissions(host).contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644;
        } catch (UnsupportedOperationException | IOException e) {
            return Files.isExecutable(host) ? 0755 : 0644;
        }
    }

    private static String describeMissing(Path host, String what) {
        return host + " is not a " + what + " on this host (relative paths are resolved against "
                + Path.of("").toAbsolutePath() + ")";
    }

    /**
     * kmod's {@code modules.dep} for the modules under {@code dir}: one line per module,
     * {@code path.ko: dep.ko ...}, paths relative to the release directory; a dependency that is
     * not among them (built in, or missing) is left out.
     */
    static String modulesDep(Path dir) {
        Map<String, String> pathByName = new TreeMap<>();
        Map<String, List<String>> depends = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                String rel = dir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
                String file = p.getFileName().toString();
                int ko = file.indexOf(".ko");
                if (ko <= 0 || !(file.endsWith(".ko") || file.endsWith(".ko.gz") || file.endsWith(".ko.xz"))) {
                    continue;
                }
                pathByName.put(moduleName(file.substring(0, ko)), rel);
                depends.put(rel, readDepends(p));
            }
        } catch (IOException | UncheckedIOException e) {
            throw bad("kernel modules " + dir + ": cannot read: " + e.getMessage());
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<String>> e : depends.entrySet()) {
            sb.append(e.getKey()).append(':');
            for (String dep : e.getValue()) {
                Optional.ofNullable(pathByName.get(moduleName(dep))).ifPresent(path -> sb.append(' ').append(path));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Module names treat '-' and '_' alike (kmod's modname normalisation). */
    private static String moduleName(String s) {
        return s.replace('-', '_');
    }

    /** The names in the module's {@code depends=} modinfo string; .ko.xz is not read (none). */
    private static List<String> readDepends(Path ko) throws IOException {
        byte[] bytes;
        String name = ko.getFileName().toString();
        if (name.endsWith(".ko.xz")) {
            return List.of();
        } else if (name.endsWith(".ko.gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(ko))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                bytes = out.toByteArray();
            }
        } else {
            bytes = Files.readAllBytes(ko);
        }
        int at = indexOf(bytes, DEPENDS, 0);
        if (at < 0) {
            return List.of();
        }
        int start = at + DEPENDS.length;
        int end = start;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        String list = new String(bytes, start, end - start, StandardCharsets.US_ASCII);
        return list.isEmpty() ? List.of() : List.of(list.split(","));
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static VmmException bad(String message) {
        return new VmmException(VmmException.Kind.BAD_INPUT, message);
    }
}
