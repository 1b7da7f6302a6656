package dev.linuxvm.engine.kvm;

/**
 * Every KVM ioctl request number the backend uses, built with the kernel's encoding
 * (include/uapi/asm-generic/ioctl.h, the same on x86_64 and arm64): bits 7:0 number, 15:8 type
 * ({@link #KVMIO}), 29:16 argument size, 31:30 direction. Definitions follow
 * include/uapi/linux/kvm.h; argument sizes come from the structure classes, whose SIZE
 * constants tests pin against the header.
 */
public final class Ioctls {
    /** The ioctl type byte of every KVM request. */
    public static final int KVMIO = 0xAE;

    static final int IOC_NRBITS = 8, IOC_TYPEBITS = 8, IOC_SIZEBITS = 14;
    static final int IOC_NRSHIFT = 0;
    static final int IOC_TYPESHIFT = IOC_NRSHIFT + IOC_NRBITS;
    static final int IOC_SIZESHIFT = IOC_TYPESHIFT + IOC_TYPEBITS;
    static final int IOC_DIRSHIFT = IOC_SIZESHIFT + IOC_SIZEBITS;
    static final int IOC_NONE = 0, IOC_WRITE = 1, IOC_READ = 2;

    static long _IOC(int dir, int type, int nr, int size) {
        if (size < 0 || size >= (1 << IOC_SIZEBITS)) {
            throw new IllegalArgumentException("ioctl argument size " + size + " does not fit 14 bits");
        }
        return ((long) dir << IOC_DIRSHIFT) | ((long) type << IOC_TYPESHIFT)
                | ((long) nr << IOC_NRSHIFT) | ((long) size << IOC_SIZESHIFT);
    }

    static long _IO(int type, int nr) {
        return _IOC(IOC_NONE, type, nr, 0);
    }

    static long _IOR(int type, int nr, int size) {
        return _IOC(IOC_READ, type, nr, size);
    }

    static long _IOW(int type, int nr, int size) {
        return _IOC(IOC_WRITE, type, nr, size);
    }

    static long _IOWR(int type, int nr, int size) {
        return _IOC(IOC_READ | IOC_WRITE, type, nr, size);
    }

    private static final int U64 = 8;

    // System ioctls (on the /dev/kvm fd).
    public static final long KVM_GET_API_VERSION = _IO(KVMIO, 0x00);
    public static final long KVM_CREATE_VM = _IO(KVMIO, 0x01);
    public static final long KVM_CHECK_EXTENSION = _IO(KVMIO, 0x03);
    public static final long KVM_GET_VCPU_MMAP_SIZE = _IO(KVMIO, 0x04);
    public static final long KVM_GET_SUPPORTED_CPUID = _IOWR(KVMIO, 0x05, KvmCpuid2.HEADER_SIZE);
    public static final long KVM_GET_MSR_INDEX_LIST = _IOWR(KVMIO, 0x02, KvmMsrList.HEADER_SIZE);

    // VM ioctls.
    public static final long KVM_CREATE_VCPU = _IO(KVMIO, 0x41);
    public static final long KVM_SET_USER_MEMORY_REGION = _IOW(KVMIO, 0x46, KvmUserspaceMemoryRegion.SIZE);
    public static final long KVM_SET_TSS_ADDR = _IO(KVMIO, 0x47);
    public static final long KVM_SET_IDENTITY_MAP_ADDR = _IOW(KVMIO, 0x48, U64);
    public static final long KVM_CREATE_IRQCHIP = _IO(KVMIO, 0x60);
    public static final long KVM_IRQ_LINE = _IOW(KVMIO, 0x61, KvmIrqLevel.SIZE);
    public static final long KVM_SET_GSI_ROUTING = _IOW(KVMIO, 0x6A, KvmIrqRouting.HEADER_SIZE);
    public static final long KVM_CREATE_PIT2 = _IOW(KVMIO, 0x77, KvmPitConfig.SIZE);
    public static final long KVM_GET_IRQCHIP = _IOWR(KVMIO, 0x62, KvmIrqchip.SIZE);
    /** _IOR although it writes: a historical quirk kept by the kernel header. */
    public static final long KVM_SET_IRQCHIP = _IOR(KVMIO, 0x63, KvmIrqchip.SIZE);
    public static final long KVM_SET_CLOCK = _IOW(KVMIO, 0x7B, KvmClockData.SIZE);
    public static final long KVM_GET_CLOCK = _IOR(KVMIO, 0x7C, KvmClockData.SIZE);
    public static final long KVM_GET_PIT2 = _IOR(KVMIO, 0x9F, KvmPitState2.SIZE);
    public static final long KVM_SET_PIT2 = _IOW(KVMIO, 0xA0, KvmPitState2.SIZE);
    public static final long KVM_ARM_PREFERRED_TARGET = _IOR(KVMIO, 0xAF, KvmVcpuInit.SIZE);
    public static final long KVM_CREATE_DEVICE = _IOWR(KVMIO, 0xE0, KvmCreateDevice.SIZE);
    public static final long KVM_ENABLE_CAP = _IOW(KVMIO, 0xA3, KvmMsrFilter.ENABLE_CAP_SIZE);
    public static final long KVM_X86_SET_MSR_FILTER = _IOW(KVMIO, 0xC6, KvmMsrFilter.SIZE);

    // vCPU ioctls.
    public static final long KVM_RUN = _IO(KVMIO, 0x80);
    public static final long KVM_GET_REGS = _IOR(KVMIO, 0x81, KvmRegs.SIZE);
    public static final long KVM_SET_REGS = _IOW(KVMIO, 0x82, KvmRegs.SIZE);
    public static final long KVM_GET_SREGS = _IOR(KVMIO, 0x83, KvmSregs.SIZE);
    public static final long KVM_SET_SREGS = _IOW(KVMIO, 0x84, KvmSregs.SIZE);
    public static final long KVM_TRANSLATE = _IOWR(KVMIO, 0x85, KvmTranslation.SIZE);
    public static final long KVM_GET_MSRS = _IOWR(KVMIO, 0x88, KvmMsrs.HEADER_SIZE);
    public static final long KVM_SET_MSRS = _IOW(KVMIO, 0x89, KvmMsrs.HEADER_SIZE);
    public static final long KVM_GET_FPU = _IOR(KVMIO, 0x8C, KvmFpu.SIZE);
    public static final long KVM_SET_FPU = _IOW(KVMIO, 0x8D, KvmFpu.SIZE);
    public static final long KVM_GET_LAPIC = _IOR(KVMIO, 0x8E, X86Lapic.SIZE);
    public static final long KVM_SET_LAPIC = _IOW(KVMIO, 0x8F, X86Lapic.SIZE);
    public static final long KVM_SET_CPUID2 = _IOW(KVMIO, 0x90, KvmCpuid2.HEADER_SIZE);
    public static final long KVM_GET_CPUID2 = _IOWR(KVMIO, 0x91, KvmCpuid2.HEADER_SIZE);
    public static final long KVM_GET_MP_STATE = _IOR(KVMIO, 0x98, KvmMpState.SIZE);
    public static final long KVM_SET_MP_STATE = _IOW(KVMIO, 0x99, KvmMpState.SIZE);
    public static final long KVM_GET_VCPU_EVENTS = _IOR(KVMIO, 0x9F, KvmVcpuEvents.SIZE);
    public static final long KVM_SET_VCPU_EVENTS = _IOW(KVMIO, 0xA0, KvmVcpuEvents.SIZE);
    public static final long KVM_GET_DEBUGREGS = _IOR(KVMIO, 0xA1, KvmDebugregs.SIZE);
    public static final long KVM_SET_DEBUGREGS = _IOW(KVMIO, 0xA2, KvmDebugregs.SIZE);
    public static final long KVM_GET_XSAVE = _IOR(KVMIO, 0xA4, KvmXsave.SIZE);
    public static final long KVM_SET_XSAVE = _IOW(KVMIO, 0xA5, KvmXsave.SIZE);
    public static final long KVM_GET_XCRS = _IOR(KVMIO, 0xA6, KvmXcrs.SIZE);
    public static final long KVM_SET_XCRS = _IOW(KVMIO, 0xA7, KvmXcrs.SIZE);
    public static final long KVM_GET_XSAVE2 = _IOR(KVMIO, 0xCF, KvmXsave.SIZE);
    public static final long KVM_GET_TSC_KHZ = _IO(KVMIO, 0xA3);
    public static final long KVM_GET_ONE_REG = _IOW(KVMIO, 0xAB, KvmOneReg.SIZE);
    public static final long KVM_SET_ONE_REG = _IOW(KVMIO, 0xAC, KvmOneReg.SIZE);
    public static final long KVM_ARM_VCPU_INIT = _IOW(KVMIO, 0xAE, KvmVcpuInit.SIZE);
    public static final long KVM_GET_REG_LIST = _IOWR(KVMIO, 0xB0, KvmRegList.HEADER_SIZE);

    // Device ioctls.
    public static final long KVM_SET_DEVICE_ATTR = _IOW(KVMIO, 0xE1, KvmDeviceAttr.SIZE);
    /** _IOW although it reads: the value goes to the address in the attribute. */
    public static final long KVM_GET_DEVICE_ATTR = _IOW(KVMIO, 0xE2, KvmDeviceAttr.SIZE);

    /** The only KVM API version there has ever been (Documentation/virt/kvm/api.rst, 4.1). */
    public static final int KVM_API_VERSION = 12;

    // Capabilities for KVM_CHECK_EXTENSION (include/uapi/linux/kvm.h).
    public static final int KVM_CAP_IRQCHIP = 0;
    public static final int KVM_CAP_USER_MEMORY = 3;
    public static final int KVM_CAP_SET_TSS_ADDR = 4;
    public static final int KVM_CAP_EXT_CPUID = 7;
    public static final int KVM_CAP_NR_VCPUS = 9;
    public static final int KVM_CAP_MP_STATE = 14;
    public static final int KVM_CAP_IRQ_ROUTING = 25;
    public static final int KVM_CAP_PIT2 = 33;
    public static final int KVM_CAP_SET_IDENTITY_MAP_ADDR = 37;
    public static final int KVM_CAP_ADJUST_CLOCK = 39;
    public static final int KVM_CAP_VCPU_EVENTS = 41;
    public static final int KVM_CAP_DEBUGREGS = 50;
    public static final int KVM_CAP_XSAVE = 55;
    public static final int KVM_CAP_XCRS = 56;
    public static final int KVM_CAP_GET_TSC_KHZ = 61;
    public static final int KVM_CAP_ONE_REG = 70;
    public static final int KVM_CAP_MAX_VCPUS = 66;
    public static final int KVM_CAP_DEVICE_CTRL = 89;
    public static final int KVM_CAP_ARM_PSCI_0_2 = 102;
    public static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    public static final int KVM_CAP_X86_USER_SPACE_MSR = 188;
    public static final int KVM_CAP_XSAVE2 = 208;

    private Ioctls() {
    }

    /** The name of a request number in this table, for messages. */
    static String name(long request) {
        for (java.lang.reflect.Field f : Ioctls.class.getFields()) {
            try {
                if (f.getType() == long.class && f.getLong(null) == request) {
                    return f.getName();
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        return String.format("ioctl 0x%x", request);
    }
}
