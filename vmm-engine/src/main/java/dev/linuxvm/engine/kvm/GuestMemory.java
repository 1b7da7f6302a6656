package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.VmmException.Kind;
import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;

/**
 * Guest RAM, handed to KVM with KVM_SET_USER_MEMORY_REGION. Addresses are guest physical.
 * Three kinds, all MAP_NORESERVE (untouched pages cost nothing):
 * <ul>
 *   <li>{@link #allocate}: an anonymous private mapping, for guests that are never snapshotted;</li>
 *   <li>{@link #allocateShared}: a memfd mapped MAP_SHARED, for a snapshot template: the guest's
 *       writes land in the file, which a snapshot keeps (through its own descriptor,
 *       {@link #dupMemfd}) once the template is gone;</li>
 *   <li>{@link #mapPrivate}: a snapshot's memfd mapped MAP_PRIVATE, for a clone: reads share the
 *       template's pages, the first write to a page copies it (copy-on-write), so mapping costs
 *       the same for any RAM size and no clone sees another's writes.</li>
 * </ul>
 */
public final class GuestMemory implements AutoCloseable {
    private final long guestBase;
    private final long size;
    private Pointer host;
    /** The memfd this memory owns ({@link #allocateShared}), or -1. */
    private int memfd;

    private GuestMemory(long guestBase, long size, Pointer host, int memfd) {
        this.guestBase = guestBase;
        this.size = size;
        this.host = host;
        this.memfd = memfd;
    }

    public static GuestMemory allocate(long guestBase, long size) {
        try {
            Pointer p = LibC.INSTANCE.mmap(null, size, LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
            return new GuestMemory(guestBase, size, p, -1);
        } catch (LastErrorException e) {
            throw KvmException.of(String.format("mmap of %d MiB guest RAM", size >> 20), e);
        }
    }

    /** RAM in a new memfd of {@code size} bytes, mapped shared: a template that can be snapshotted. */
    public static GuestMemory allocateShared(long guestBase, long size) {
        int fd;
        try {
            fd = LibC.INSTANCE.memfd_create("linuxvm-ram", LibC.MFD_CLOEXEC);
        } catch (LastErrorException e) {
            throw KvmException.of("memfd_create for guest RAM", e);
        }
        try {
            LibC.INSTANCE.ftruncate(fd, size);
            Pointer p = LibC.INSTANCE.mmap(null, size, LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_SHARED | LibC.MAP_NORESERVE, fd, 0);
            return new GuestMemory(guestBase, size, p, fd);
        } catch (LastErrorException e) {
            closeFd(fd);
            throw KvmException.of(String.format("ftruncate/mmap of a %d MiB memfd for guest RAM", size >> 20), e);
        }
    }

    /**
     * A private (copy-on-write) mapping of {@code size} bytes of {@code memfd}, which stays the
     * caller's: the mapping keeps the file alive on its own.
     */
    public static GuestMemory mapPrivate(int memfd, long guestBase, long size) {
        try {
            Pointer p = LibC.INSTANCE.mmap(null, size, LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_PRIVATE | LibC.MAP_NORESERVE, memfd, 0);
            return new GuestMemory(guestBase, size, p, -1);
        } catch (LastErrorException e) {
            throw KvmException.of(String.format("mmap (private) of %d MiB snapshot RAM", size >> 20), e);
        }
    }

    /** Whether this RAM lives in a memfd of its own ({@link #allocateShared}). */
    public synchronized boolean isShared() {
        return memfd >= 0;
    }

    /** A new close-on-exec descriptor of this RAM's memfd, for a snapshot to own. */
    synchronized int dupMemfd() {
        if (memfd < 0) {
            throw new KvmException("guest RAM at 0x" + Long.toHexString(guestBase) + " is not memfd-backed:"
                    + " start the guest with KvmBackend.startForSnapshot to snapshot it");
        }
        try {
            return LibC.INSTANCE.fcntl(memfd, LibC.F_DUPFD_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw KvmException.of("fcntl(F_DUPFD_CLOEXEC) of the guest RAM memfd", e);
        }
    }

    static void closeFd(int fd) {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException e) {
            throw KvmException.of("close(memfd " + fd + ")", e);
        }
    }

    public long guestBase() {
        return guestBase;
    }

    public long size() {
        return size;
    }

    /** Host address of the first byte, for KVM_SET_USER_MEMORY_REGION. */
    long hostAddress() {
        return Pointer.nativeValue(host());
    }

    public void write(long gpa, byte[] data) {
        host().write(offset(gpa, data.length), data, 0, data.length);
    }

    public byte[] read(long gpa, int length) {
        byte[] b = new byte[length];
        host().read(offset(gpa, length), b, 0, length);
        return b;
    }

    /** Whether [{@code gpa}, {@code gpa + length}) is inside this RAM. */
    public boolean contains(long gpa, long length) {
        return gpa >= guestBase && length >= 0 && gpa - guestBase <= size - length;
    }

    private long offset(long gpa, long length) {
        if (!contains(gpa, length)) {
            throw new KvmException(Kind.INTERNAL, String.format("guest physical range 0x%x+0x%x is outside RAM [0x%x-0x%x)",
                    gpa, length, guestBase, guestBase + size));
        }
        return gpa - guestBase;
    }

    private synchronized Pointer host() {
        if (host == null) {
            throw new IllegalStateException("guest memory already unmapped");
        }
        return host;
    }

    @Override
    public synchronized void close() {
        if (host != null) {
            try {
                LibC.INSTANCE.munmap(host, size);
            } catch (LastErrorException e) {
                throw KvmException.of("munmap of guest RAM", e);
            } finally {
                host = null;
                if (memfd >= 0) {
                    int fd = memfd;
                    memfd = -1;
                    closeFd(fd);
                }
            }
        }
    }
}
