package dev.linuxvm.engine.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;

import java.nio.ByteBuffer;

/** A KVM file descriptor: ioctl helpers that turn errno into a {@link KvmException}. */
abstract class Fd implements AutoCloseable {
    protected final int fd;
    private boolean closed;

    Fd(int fd) {
        this.fd = fd;
    }

    int ioctl(long request, long arg) {
        try {
            return LibC.INSTANCE.ioctl(fd, request, arg);
        } catch (LastErrorException e) {
            throw KvmException.of(Ioctls.name(request), e);
        }
    }

    int ioctl(long request, Structure s) {
        s.write();
        int r;
        try {
            r = LibC.INSTANCE.ioctl(fd, request, s.getPointer());
        } catch (LastErrorException e) {
            throw KvmException.of(Ioctls.name(request), e);
        }
        s.read();
        return r;
    }

    /** Passes {@code buffer} (native order) in and copies KVM's changes back into it. */
    int ioctl(long request, ByteBuffer buffer) {
        Memory m = new Memory(buffer.capacity());
        m.write(0, buffer.array(), 0, buffer.capacity());
        int r;
        try {
            r = LibC.INSTANCE.ioctl(fd, request, m);
        } catch (LastErrorException e) {
            throw KvmException.of(Ioctls.name(request), e);
        }
        m.read(0, buffer.array(), 0, buffer.capacity());
        return r;
    }

    int ioctlPointer(long request, Pointer p) {
        try {
            return LibC.INSTANCE.ioctl(fd, request, p);
        } catch (LastErrorException e) {
            throw KvmException.of(Ioctls.name(request), e);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                LibC.INSTANCE.close(fd);
            } catch (LastErrorException e) {
                throw KvmException.of("close(" + getClass().getSimpleName() + " fd " + fd + ")", e);
            }
        }
    }
}
