package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.MemoryRegion;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A kernel's segments laid out as guest RAM, in a sparse file of the cache that a plain start's
 * QEMU maps copy-on-write ({@code memory-backend-file,share=off}) instead of having the kernel
 * copied into a RAM file of its own: the 30–50 MB of a kernel are then page cache shared by
 * every guest of that kernel, a guest's writes stay in its own QEMU, and only what differs per
 * boot (the zero page, the tables, the command line, the initramfs) is written, into QEMU's
 * mapping through {@code /proc/PID/mem} ({@link QemuVm.ProcessFill}).
 *
 * <p>Named by the kernel file's identity (device, inode, size, modification and change times),
 * read with one {@code stat}: hashing 46 MB would cost more than the copy it saves. Beside each
 * {@code NAME.ram} a {@code NAME.slices} lists what it holds (RAM offset, file offset, length);
 * a start writes whatever of its image the list does not match and zeros what of the list its
 * image does not write, so a template that is not the image's kernel costs time, never
 * correctness. Made aside and renamed into place, never changed after: a QEMU mapping it sees
 * the same bytes until it exits.
 */
final class RamTemplate {
    static final String SUFFIX = ".ram";
    static final String SLICES_SUFFIX = ".slices";
    /**
     * The file's size, all holes but the kernel: QEMU refuses a backing file smaller than
     * {@code -m} and maps only {@code -m} of a larger one, so one template serves any RAM size.
     */
    static final long FILE_SIZE = 1L << 40;
    /** Templates used within this long are never deleted (a QEMU may be about to open one). */
    static final Duration IN_USE = Duration.ofHours(1);
    /** Of the templates not used within {@link #IN_USE}, this many most recently used stay. */
    static final int KEEP = 4;

    /** {@code length} bytes of the kernel file from {@code fileOffset}, at {@code ramOffset} of the guest's RAM. */
    record Slice(long ramOffset, long fileOffset, int length) {
        long ramEnd() {
            return ramOffset + length;
        }
    }

    private final Path file;
    private final Arch arch;
    private final Path kernel;
    private final String name;
    private final List<Slice> slices;

    private RamTemplate(Path file, Arch arch, Path kernel, String name, List<Slice> slices) {
        this.file = file;
        this.arch = arch;
        this.kernel = kernel;
        this.name = name;
        this.slices = List.copyOf(slices);
    }

    /** The file QEMU maps. */
    Path file() {
        return file;
    }

    /** The kernel file whose slices it holds. */
    Path kernel() {
        return kernel;
    }

    List<Slice> slices() {
        return slices;
    }

    /**
     * {@code arch-DEV-INODE-SIZE-MTIME-CTIME}, all hex, from one {@code stat} of {@code kernel}:
     * a kernel rebuilt or rewritten in place gets a new name.
     */
    static String name(Arch arch, Path kernel) throws IOException {
        Map<String, Object> a = Files.readAttributes(kernel, "unix:dev,ino,size,lastModifiedTime,ctime");
        return arch.unameMachine() + "-" + Long.toHexString((Long) a.get("dev")) + "-" + Long.toHexString((Long) a.get("ino"))
                + "-" + Long.toHexString((Long) a.get("size")) + "-" + nanos((FileTime) a.get("lastModifiedTime"))
                + "-" + nanos((FileTime) a.get("ctime"));
    }

    private static String nanos(FileTime t) {
        Instant i = t.toInstant();
        return Long.toHexString(i.getEpochSecond()) + "." + Long.toHexString(i.getNano());
    }

    /** The template of {@code kernel} in {@code root}, when one was made; marked used. */
    static Optional<RamTemplate> find(Path root, Arch arch, Path kernel) {
        try {
            String name = name(arch, kernel);
            Path file = root.resolve(name + SUFFIX);
            List<Slice> slices = readSlices(root.resolve(name + SLICES_SUFFIX));
            if (!Files.isRegularFile(file) || Files.size(file) != FILE_SIZE) {
                return Optional.empty();
            }
            Files.setLastModifiedTime(file, FileTime.from(Instant.now())); // used: kept by prune
            return Optional.of(new RamTemplate(file.toRealPath(), arch, kernel, name, slices));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // none yet, or half made: a plain start copies the kernel, and makes it
        }
    }

    /**
     * Makes the template of {@code kernel} from the regions of an image that read it
     * ({@link MemoryRegion#file()} slices of {@code kernel}; others are ignored), at their RAM
     * offsets; then deletes what {@link #prune} selects. Safe beside another process making the
     * same one: each writes its own file and the last rename wins, with the same bytes.
     */
    static RamTemplate create(Path root, Arch arch, long ramSize, Path kernel, List<MemoryRegion> regions) throws IOException {
        String name = name(arch, kernel);
        List<Slice> slices = new ArrayList<>();
        for (MemoryRegion r : regions) {
            if (r.file().isPresent() && r.file().get().path().equals(kernel) && r.length() > 0) {
                slices.add(new Slice(QemuCommandLine.ramFileOffset(arch, ramSize, r.address(), r.length()),
                        r.file().get().offset(), r.length()));
            }
        }
        if (slices.isEmpty()) {
            throw new IllegalArgumentException("no region of the image is read from " + kernel);
        }
        Files.createDirectories(root);
        if ("tmpfs".equals(Files.getFileStore(root).type())) {
            // a guest's reads of the holes would become tmpfs pages of the template, kept until it goes
            throw new IOException(root + " is on tmpfs: RAM templates need a disk, where those reads are page cache");
        }
        String tmpTag = ".tmp-" + ProcessHandle.current().pid() + "-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        Path tmp = root.resolve(name + SUFFIX + tmpTag);
        Path slicesTmp = root.resolve(name + SLICES_SUFFIX + tmpTag);
        try {
            try (RandomAccessFile out = new RandomAccessFile(tmp.toFile(), "rw")) {
                for (Slice s : slices) {
                    QemuVm.RamFill.copy(new MemoryRegion.FileSlice(kernel, s.fileOffset()), s.length(), out.getChannel(), s.ramOffset());
                }
                out.setLength(FILE_SIZE);
            }
            StringBuilder text = new StringBuilder("# ram-offset file-offset length (hex) of ").append(kernel).append('\n');
            for (Slice s : slices) {
                text.append(Long.toHexString(s.ramOffset())).append(' ').append(Long.toHexString(s.fileOffset())).append(' ')
                        .append(Integer.toHexString(s.length())).append('\n');
            }
            Files.writeString(slicesTmp, text);
            // the list first: a template file present has its list
            Files.move(slicesTmp, root.resolve(name + SLICES_SUFFIX), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Path file = Files.move(tmp, root.resolve(name + SUFFIX), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            prune(root, Instant.now());
            return new RamTemplate(file.toRealPath(), arch, kernel, name, slices);
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(slicesTmp);
        }
    }

    private static List<Slice> readSlices(Path list) throws IOException {
        List<Slice> slices = new ArrayList<>();
        for (String line : Files.readAllLines(list)) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            slices.add(new Slice(Long.parseLong(f[0], 16), Long.parseLong(f[1], 16), Integer.parseInt(f[2], 16)));
        }
        if (slices.isEmpty()) {
            throw new IOException(list + " lists nothing");
        }
        return slices;
    }

    /**
     * Of {@code writes} (a start's, at RAM offsets), those this template does not already hold:
     * every write but the kernel slices it lists, read from the same file.
     */
    List<QemuCommandLine.RamWrite> missing(List<QemuCommandLine.RamWrite> writes) {
        if (!current()) {
            return writes;
        }
        List<QemuCommandLine.RamWrite> rest = new ArrayList<>();
        for (QemuCommandLine.RamWrite w : writes) {
            if (!holds(w)) {
                rest.add(w);
            }
        }
        return rest;
    }

    /** What this template holds that none of {@code writes} puts there: zeroed before those are written. */
    List<Slice> stale(List<QemuCommandLine.RamWrite> writes) {
        if (!current()) {
            return slices;
        }
        List<Slice> stale = new ArrayList<>();
        for (Slice s : slices) {
            boolean written = false;
            for (QemuCommandLine.RamWrite w : writes) {
                written |= same(w, s);
            }
            if (!written) {
                stale.add(s);
            }
        }
        return stale;
    }

    /**
     * Whether the kernel file is still the one this template was made of (one {@code stat}): a
     * file changed since {@link #find} has none of its slices taken from the template.
     */
    boolean current() {
        try {
            return name(arch, kernel).equals(name);
        } catch (IOException e) {
            return false;
        }
    }

    private boolean holds(QemuCommandLine.RamWrite w) {
        for (Slice s : slices) {
            if (same(w, s)) {
                return true;
            }
        }
        return false;
    }

    private boolean same(QemuCommandLine.RamWrite w, Slice s) {
        return w.file().isPresent() && w.offset() == s.ramOffset() && w.length() == s.length()
                && w.file().get().offset() == s.fileOffset() && w.file().get().path().equals(kernel);
    }

    /**
     * Deletes templates (and their lists) not used within {@link #IN_USE} of {@code now} beyond
     * the {@link #KEEP} most recently used, and leftovers of makes that did not finish.
     */
    static void prune(Path root, Instant now) {
        List<Path> idle = new ArrayList<>();
        try (Stream<Path> files = Files.list(root)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                Instant used = Files.getLastModifiedTime(p).toInstant();
                boolean old = used.isBefore(now.minus(IN_USE));
                if (n.contains(".tmp-") && old) {
                    Files.deleteIfExists(p);
                } else if (n.endsWith(SUFFIX) && old) {
                    idle.add(p);
                }
            }
            idle.sort(Comparator.comparing(RamTemplate::lastUsed).reversed());
            for (Path p : idle.subList(Math.min(KEEP, idle.size()), idle.size())) {
                String n = p.getFileName().toString();
                Files.deleteIfExists(p);
                Files.deleteIfExists(root.resolve(n.substring(0, n.length() - SUFFIX.length()) + SLICES_SUFFIX));
            }
        } catch (NoSuchFileException e) {
            // deleted by another process meanwhile
        } catch (IOException | UncheckedIOException e) {
            // best effort: a cache that keeps a template too many still works
        }
    }

    private static Instant lastUsed(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return file + " (" + kernel + ", " + slices.size() + " slices)";
    }
}
