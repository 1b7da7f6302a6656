package dev.linuxvm.engine.kvm;

import com.sun.jna.LastErrorException;

import java.nio.ByteBuffer;
import java.util.List;

/** The {@code /dev/kvm} file descriptor: system ioctls, and the factory of VMs. */
public final class KvmSystem extends Fd {
    /** Where the KVM device lives. */
    public static final String DEV_KVM = "/dev/kvm";

    private KvmSystem(int fd) {
        super(fd);
    }

    /** Opens {@code path} (normally {@link #DEV_KVM}) read-write, close-on-exec. */
    public static KvmSystem open(String path) {
        try {
            return new KvmSystem(LibC.INSTANCE.open(path, LibC.O_RDWR | LibC.O_CLOEXEC));
        } catch (LastErrorException e) {
            throw KvmException.of("open(" + path + ")", e);
        }
    }

    /** KVM_GET_API_VERSION; 12 on every kernel since 2.6.22. */
    public int apiVersion() {
        return ioctl(Ioctls.KVM_GET_API_VERSION, 0);
    }

    /** KVM_CHECK_EXTENSION: 0 when unsupported, else a capability-specific positive value. */
    public int checkExtension(int capability) {
        return ioctl(Ioctls.KVM_CHECK_EXTENSION, capability);
    }

    /** KVM_GET_VCPU_MMAP_SIZE: bytes to mmap from each vCPU fd (kvm_run and following pages). */
    public int vcpuMmapSize() {
        return ioctl(Ioctls.KVM_GET_VCPU_MMAP_SIZE, 0);
    }

    /** KVM_CREATE_VM with machine type 0 (x86; arm64: default 40-bit IPA). */
    public KvmVm createVm() {
        return new KvmVm(this, ioctl(Ioctls.KVM_CREATE_VM, 0));
    }

    /** KVM_GET_SUPPORTED_CPUID, growing the buffer while KVM answers E2BIG. */
    public List<KvmCpuidEntry2> supportedCpuid() {
        for (int capacity = 64; capacity <= 4096; capacity *= 2) {
            ByteBuffer b = KvmCpuid2.empty(capacity);
            try {
                ioctl(Ioctls.KVM_GET_SUPPORTED_CPUID, b);
                return KvmCpuid2.decode(b);
            } catch (KvmException e) {
                if (!(e.getCause() instanceof LastErrorException)
                        || ((LastErrorException) e.getCause()).getErrorCode() != LibC.E2BIG) {
                    throw e;
                }
            }
        }
        throw new KvmException("KVM_GET_SUPPORTED_CPUID: more than 4096 entries");
    }

    /** KVM_GET_MSR_INDEX_LIST: the MSRs KVM can save and restore for a vCPU, in KVM's order. */
    public List<Integer> msrIndexList() {
        int capacity = 256;
        while (true) {
            ByteBuffer b = ByteBuffer.allocate(KvmMsrList.HEADER_SIZE + 4 * capacity).order(java.nio.ByteOrder.nativeOrder());
            b.putInt(0, capacity);
            try {
                ioctl(Ioctls.KVM_GET_MSR_INDEX_LIST, b);
            } catch (KvmException e) {
                if (e.getCause() instanceof LastErrorException
                        && ((LastErrorException) e.getCause()).getErrorCode() == LibC.E2BIG && b.getInt(0) > capacity) {
                    capacity = b.getInt(0);
                    continue;
                }
                throw e;
            }
            List<Integer> indices = new java.util.ArrayList<>();
            for (int i = 0; i < b.getInt(0); i++) {
                indices.add(b.getInt(KvmMsrList.HEADER_SIZE + 4 * i));
            }
            return indices;
        }
    }
}
