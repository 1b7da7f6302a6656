package dev.linuxvm.engine.initramfs;

import dev.linuxvm.engine.VmmException.Kind;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Builds a cpio "newc" archive, the format the Linux kernel unpacks as an initramfs
 * ({@code Documentation/driver-api/early-userspace/buffer-format.rst}).
 *
 * <p>Entries are written in the order added. Missing parent directories are added first (mode
 * 0755), so {@code addFile("bin/busybox", ...)} alone yields a valid tree. Paths may be given
 * with or without a leading slash; they are stored without it (as {@code gen_init_cpio} and
 * {@code cpio -i} expect). Owners are root (uid/gid 0) and mtimes 0, so the same input always
 * produces the same bytes. Inode numbers increase from {@code firstInode}.
 *
 * <p><b>Appendable.</b> The kernel unpacks any number of archives concatenated back to back
 * (each with its own {@code TRAILER!!!}, optionally each gzip-compressed), later entries
 * overwriting earlier ones. So an overlay archive, for example one adding {@code /linuxvm/exec},
 * can simply be appended to a prebuilt base initramfs file; nothing in the base needs to change.
 * Give the overlay a distinct {@code firstInode} if you want inode numbers unique across both
 * (the kernel only uses them to detect hard links, which this writer never creates).
 *
 * <p><b>Large archives.</b> {@link #addFile(String, int, Path)} records only the file's path and
 * size; its bytes are streamed by {@link #writeTo(OutputStream)}, so an archive of hundreds of
 * megabytes can be written to a file without holding it in memory.
 */
public final class CpioWriter {

    /** Default permissions for implicitly created parent directories. */
    public static final int DEFAULT_DIRECTORY_MODE = 0755;

    private final List<Pending> entries = new ArrayList<>();
    private final Map<String, FileType> types = new HashMap<>();
    private long nextInode;

    /** One entry; its contents are {@code data}, or the file {@code source} when that is set. */
    private record Pending(String name, long mode, long nlink, long rmaj, long rmin, byte[] data, Path source,
                           long size) { }

    /** A writer whose inode numbers start at 1. */
    public CpioWriter() {
        this(1);
    }

    /** A writer whose inode numbers start at {@code firstInode} (at least 1). */
    public CpioWriter(long firstInode) {
        if (firstInode < 1) {
            throw new IllegalArgumentException("firstInode must be at least 1, got " + firstInode);
        }
        this.nextInode = firstInode;
    }

    /** Adds a regular file with permission bits {@code mode} (e.g. 0755) and the given contents. */
    public CpioWriter addFile(String path, int mode, byte[] contents) {
        byte[] data = contents.clone();
        add(path, FileType.REGULAR, mode, 1, 0, 0, data, null, data.length);
        return this;
    }

    /**
     * Adds a regular file whose contents are read from {@code source} when the archive is
     * written. The size is taken now; {@link #writeTo} fails if the file changed size meanwhile.
     */
    public CpioWriter addFile(String path, int mode, Path source) {
        long size;
        try {
            size = Files.size(source);
        } catch (IOException e) {
            throw new CpioException("cpio entry '" + path + "': cannot read " + source + ": " + e.getMessage(), e);
        }
        // newc's c_filesize is 8 hex digits.
        if (size > 0xffff_ffffL) {
            throw new CpioException("cpio entry '" + path + "': " + source + " has " + size
                + " bytes, newc holds at most 4 GiB per file");
        }
        add(path, FileType.REGULAR, mode, 1, 0, 0, null, source, size);
        return this;
    }

    /** Adds a UTF-8 text file. */
    public CpioWriter addFile(String path, int mode, String contents) {
        return addFile(path, mode, contents.getBytes(StandardCharsets.UTF_8));
    }

    /** Adds a directory (a second add of the same directory is ignored). */
    public CpioWriter addDirectory(String path, int mode) {
        String name = normalize(path);
        if (types.get(name) == FileType.DIRECTORY) {
            return this;
        }
        add(path, FileType.DIRECTORY, mode, 2, 0, 0, new byte[0], null, 0);
        return this;
    }

    /** Adds a symbolic link {@code path -> target} (target stored verbatim, may be relative). */
    public CpioWriter addSymlink(String path, String target) {
        if (target.isEmpty()) {
            throw new CpioException("cpio symlink '" + path + "' has an empty target");
        }
        byte[] data = target.getBytes(StandardCharsets.UTF_8);
        add(path, FileType.SYMLINK, 0777, 1, 0, 0, data, null, data.length);
        return this;
    }

    /** Adds a character device node, e.g. {@code ("dev/console", 0600, 5, 1)}. */
    public CpioWriter addCharDevice(String path, int mode, int major, int minor) {
        add(path, FileType.CHAR_DEVICE, mode, 1, major, minor, new byte[0], null, 0);
        return this;
    }

    /** Adds a block device node. */
    public CpioWriter addBlockDevice(String path, int mode, int major, int minor) {
        add(path, FileType.BLOCK_DEVICE, mode, 1, major, minor, new byte[0], null, 0);
        return this;
    }

    /** The uncompressed archive, ending with the {@code TRAILER!!!} entry. */
    public byte[] toByteArray() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeTo(out);
        return out.toByteArray();
    }

    /** The archive gzip-compressed (the kernel's {@code CONFIG_RD_GZIP}, enabled everywhere). */
    public byte[] toGzip() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
            writeTo(gz);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the uncompressed archive to {@code out} (which is not closed). */
    public void writeTo(OutputStream out) {
        try {
            long ino = nextInode;
            for (Pending e : entries) {
                writeEntry(out, ino++, e);
            }
            // The trailer: an otherwise empty entry, as in the kernel's usr/gen_init_cpio.c.
            writeEntry(out, 0, new Pending(NewcHeader.TRAILER, 0, 1, 0, 0, new byte[0], null, 0));
        } catch (IOException e) {
            throw new CpioException(Kind.HOST_ENVIRONMENT, "cannot write cpio archive: " + e.getMessage(), e);
        }
    }

    private void add(String path, FileType type, int mode, long nlink, int rmaj, int rmin, byte[] data, Path source,
                     long size) {
        if ((mode & ~FileType.PERMISSION_MASK) != 0) {
            throw new CpioException("cpio entry '" + path + "': mode 0" + Integer.toOctalString(mode)
                + " has bits outside 07777; pass permission bits only, the type is implied");
        }
        if (rmaj < 0 || rmin < 0) {
            throw new CpioException("cpio device '" + path + "': negative major/minor " + rmaj + ":" + rmin);
        }
        String name = normalize(path);
        int slash = name.lastIndexOf('/');
        if (slash > 0) {
            ensureDirectory(name.substring(0, slash));
        }
        FileType previous = types.get(name);
        if (previous == FileType.DIRECTORY && type != FileType.DIRECTORY) {
            throw new CpioException("cpio entry '" + name + "' is already a directory; cannot add it as " + type);
        }
        types.put(name, type);
        entries.add(new Pending(name, type.bits() | mode, nlink, rmaj, rmin, data, source, size));
    }

    private void ensureDirectory(String dir) {
        FileType t = types.get(dir);
        if (t == FileType.DIRECTORY) {
            return;
        }
        if (t != null) {
            throw new CpioException("cpio path '" + dir + "' is a " + t + " but is used as a parent directory");
        }
        addDirectory(dir, DEFAULT_DIRECTORY_MODE);
    }

    /** Strips one leading slash; rejects empty names, "." / ".." components and NULs. */
    static String normalize(String path) {
        String name = path.startsWith("/") ? path.substring(1) : path;
        if (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new CpioException("invalid cpio path '" + path + "': must name a file below the root");
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new CpioException("invalid cpio path '" + path
                    + "': empty, '.' and '..' components are not allowed");
            }
        }
        return name;
    }

    private static void writeEntry(OutputStream out, long ino, Pending e) throws IOException {
        byte[] nameBytes = (e.name + "\0").getBytes(StandardCharsets.UTF_8);
        NewcHeader h = new NewcHeader(ino, e.mode, 0, 0, e.nlink, 0, e.size, 0, 0, e.rmaj, e.rmin,
            nameBytes.length, 0);
        out.write(h.toBytes());
        out.write(nameBytes);
        pad(out, NewcHeader.SIZE + nameBytes.length);
        if (e.source == null) {
            out.write(e.data);
        } else {
            long copied = Files.copy(e.source, out);
            if (copied != e.size) {
                throw new CpioException("cpio entry '" + e.name + "': " + e.source + " changed size while the archive"
                    + " was built (" + e.size + " bytes when added, " + copied + " when written)");
            }
        }
        pad(out, e.size);
    }

    private static void pad(OutputStream out, long written) throws IOException {
        out.write(new byte[(int) (NewcHeader.align(written) - written)]);
    }
}
