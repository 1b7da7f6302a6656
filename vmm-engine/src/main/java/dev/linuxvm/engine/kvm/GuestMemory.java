package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.VmmException.Kind;
import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;

/**
 * Guest RAM: one anonymous private mapping (MAP_NORESERVE: untouched pages cost nothing),
 * handed to KVM with KVM_SET_USER_MEMORY_REGION. Addresses are guest physical.
 */
public final class GuestMemory implements AutoCloseable {
    private final long guestBase;
    private final long size;
    private Pointer host;

    private GuestMemory(long guestBase, long size, Pointer host) {
        this.guestBase = guestBase;
        this.size = size;
        this.host = host;
    }

    public static GuestMemory allocate(long guestBase, long size) {
        try {
            Pointer p = LibC.INSTANCE.mmap(null, size, LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
            return new GuestMemory(guestBase, size, p);
        } catch (LastErrorException e) {
            throw KvmException.of(String.format("mmap of %d MiB guest RAM", size >> 20), e);
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
            }
        }
    }
}
