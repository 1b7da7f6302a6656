package dev.linuxvm.engine.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The libc calls the KVM backend needs (open(2), ioctl(2), mmap(2), munmap(2), close(2),
 * memfd_create(2), ftruncate(2), fcntl(2), pthread_kill(3), signal(2)). Calls that report through errno declare
 * {@link LastErrorException} so errno reaches the message. Constants are the Linux values for
 * x86_64 and arm64 (asm-generic/fcntl.h, asm-generic/mman-common.h; identical on both).
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    /** O_RDWR. */
    int O_RDWR = 0x2;
    /** O_CLOEXEC (02000000 octal). */
    int O_CLOEXEC = 0x80000;
    /** PROT_READ. */
    int PROT_READ = 0x1;
    /** PROT_WRITE. */
    int PROT_WRITE = 0x2;
    /** MAP_SHARED. */
    int MAP_SHARED = 0x01;
    /** MAP_PRIVATE. */
    int MAP_PRIVATE = 0x02;
    /** MAP_ANONYMOUS. */
    int MAP_ANONYMOUS = 0x20;
    /** MAP_NORESERVE: no swap reservation for guest RAM the guest may never touch. */
    int MAP_NORESERVE = 0x4000;
    /** EINTR: a signal (our kick) interrupted KVM_RUN. */
    int EINTR = 4;
    /** EAGAIN: KVM_RUN on a vCPU that is not runnable yet (an AP waiting for INIT/SIPI). */
    int EAGAIN = 11;
    /** E2BIG: KVM_GET_SUPPORTED_CPUID needs more entries. */
    int E2BIG = 7;
    /** MFD_CLOEXEC (include/uapi/linux/memfd.h). */
    int MFD_CLOEXEC = 0x1;
    /** F_DUPFD_CLOEXEC (include/uapi/linux/fcntl.h: F_LINUX_SPECIFIC_BASE + 6). */
    int F_DUPFD_CLOEXEC = 1030;

    int open(String path, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int ioctl(int fd, long request, Pointer arg) throws LastErrorException;

    int ioctl(int fd, long request, long arg) throws LastErrorException;

    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset) throws LastErrorException;

    int munmap(Pointer addr, long length) throws LastErrorException;

    /** memfd_create(2): an anonymous file in RAM (shmem), the backing of snapshottable guest RAM. */
    int memfd_create(String name, int flags) throws LastErrorException;

    int ftruncate(int fd, long length) throws LastErrorException;

    /** fcntl(2) with an int argument (F_DUPFD_CLOEXEC). */
    int fcntl(int fd, int cmd, int arg) throws LastErrorException;

    /** pthread_t of the calling thread (unsigned long on Linux/glibc). */
    long pthread_self();

    /** Returns an error number instead of setting errno. */
    int pthread_kill(long thread, int sig);

    /** glibc's signal(): installs {@code handler} for {@code sig}. */
    Pointer signal(int sig, Pointer handler) throws LastErrorException;

    /** pause(2): sleeps until a signal handler runs; tests use it to prove the kick interrupts a syscall. */
    int pause() throws LastErrorException;

    /** SIGRTMIN as glibc defines it at run time. */
    int __libc_current_sigrtmin();
}
