package dev.linuxvm.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;

/**
 * Bytes the engine places in guest physical memory: {@link #length()} initialised bytes at
 * {@link #address()}, then zeros up to {@link #size()}.
 *
 * <p>The initialised bytes are either an array or a slice of a file ({@link #ofFile}: a kernel's
 * segments). A file slice is read only when {@link #data()} is first called; an executor that
 * can copy file to file ({@link #file()}: the QEMU executor's RAM file) never reads it into the
 * heap. The file must not change until the guest has started.
 */
public final class MemoryRegion {
    private final String name;
    private final long address;
    private final long size;
    private final int length;
    private final FileSlice file;
    private volatile byte[] data;

    /**
     * Where a region's initialised bytes are in a file.
     *
     * @param path   the file
     * @param offset byte offset of the first initialised byte
     */
    public record FileSlice(Path path, long offset) {
        public FileSlice {
            Objects.requireNonNull(path, "path");
            if (offset < 0) {
                throw new IllegalArgumentException("negative file offset " + offset);
            }
        }
    }

    /**
     * @param name    what this is ("kernel", "zero page", "DSDT"), for messages and reports
     * @param address guest physical address of the first byte
     * @param data    the initialised contents; not copied, callers must not modify it afterwards
     * @param size    bytes reserved at {@code address}; {@code size >= data.length}, the rest is
     *                zero (for example a kernel's BSS)
     */
    public MemoryRegion(String name, long address, byte[] data, long size) {
        this(name, address, Objects.requireNonNull(data, "data").length, size, null, data);
    }

    private MemoryRegion(String name, long address, int length, long size, FileSlice file, byte[] data) {
        this.name = Objects.requireNonNull(name, "name");
        if (address < 0) {
            throw new IllegalArgumentException(name + ": negative address " + address);
        }
        if (length < 0 || size < length) {
            throw new IllegalArgumentException(name + ": size " + size + " < data length " + length);
        }
        Math.addExact(address, size);
        this.address = address;
        this.size = size;
        this.length = length;
        this.file = file;
        this.data = data;
    }

    /** A region whose size is exactly its data. */
    public static MemoryRegion of(String name, long address, byte[] data) {
        return new MemoryRegion(name, address, data, data.length);
    }

    /**
     * A region whose {@code length} initialised bytes are at {@code offset} in {@code file}, read
     * when first needed, then zeros up to {@code size}. The caller has checked that the file
     * holds them.
     */
    public static MemoryRegion ofFile(String name, long address, Path file, long offset, int length, long size) {
        return new MemoryRegion(name, address, length, size, new FileSlice(file, offset), null);
    }

    public String name() {
        return name;
    }

    public long address() {
        return address;
    }

    /** Bytes reserved at {@link #address()}: the initialised ones, then zeros. */
    public long size() {
        return size;
    }

    /** Number of initialised bytes ({@code data().length}, without reading a file). */
    public int length() {
        return length;
    }

    /** Where the initialised bytes are read from, for a region made by {@link #ofFile}. */
    public Optional<FileSlice> file() {
        return Optional.ofNullable(file);
    }

    /**
     * The initialised contents (not copied: do not modify). A file slice is read on the first
     * call; a file that has become shorter or unreadable is a {@link VmmException}.
     */
    public byte[] data() {
        byte[] d = data;
        if (d == null) {
            synchronized (this) {
                d = data;
                if (d == null) {
                    d = read(file, length, name);
                    data = d;
                }
            }
        }
        return d;
    }

    private static byte[] read(FileSlice slice, int length, String name) {
        byte[] bytes = new byte[length];
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try (FileChannel ch = FileChannel.open(slice.path(), StandardOpenOption.READ)) {
            while (b.hasRemaining()) {
                if (ch.read(b, slice.offset() + b.position()) < 0) {
                    throw new VmmException(VmmException.Kind.BAD_INPUT, String.format("%s: %s ended at byte %d, but %d bytes"
                            + " were expected from offset %d: the file changed after the guest was built; keep it until"
                            + " the guest has started", name, slice.path(), slice.offset() + b.position(), length, slice.offset()));
                }
            }
        } catch (IOException e) {
            throw new VmmException(VmmException.Kind.BAD_INPUT, name + ": cannot read " + slice.path() + ": " + e.getMessage(), e);
        }
        return bytes;
    }

    /** First address past this region. */
    public long end() {
        return address + size;
    }

    public boolean overlaps(MemoryRegion other) {
        return address < other.end() && other.address < end();
    }

    @Override
    public String toString() {
        return String.format("%s [0x%x-0x%x)", name, address, end());
    }
}
