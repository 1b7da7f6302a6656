package dev.linuxvm.engine.kvm;

import com.sun.jna.Memory;

/** A VM file descriptor (from KVM_CREATE_VM): memory slots, irqchip, vCPUs, devices. */
public final class KvmVm extends Fd {
    private final KvmSystem system;

    KvmVm(KvmSystem system, int fd) {
        super(fd);
        this.system = system;
    }

    public KvmSystem system() {
        return system;
    }

    /** KVM_SET_USER_MEMORY_REGION: maps {@code memory} at its guest base in {@code slot}. */
    public void setUserMemoryRegion(int slot, GuestMemory memory) {
        KvmUserspaceMemoryRegion r = new KvmUserspaceMemoryRegion();
        r.slot = slot;
        r.flags = 0;
        r.guest_phys_addr = memory.guestBase();
        r.memory_size = memory.size();
        r.userspace_addr = memory.hostAddress();
        ioctl(Ioctls.KVM_SET_USER_MEMORY_REGION, r);
    }

    /** KVM_SET_TSS_ADDR (x86/VMX): three pages of guest physical space KVM may use, outside RAM. */
    public void setTssAddr(long address) {
        ioctl(Ioctls.KVM_SET_TSS_ADDR, address);
    }

    /** KVM_SET_IDENTITY_MAP_ADDR (x86/VMX): one page for the real-mode identity table, outside RAM. */
    public void setIdentityMapAddr(long address) {
        Memory m = new Memory(8);
        m.setLong(0, address);
        ioctlPointer(Ioctls.KVM_SET_IDENTITY_MAP_ADDR, m);
    }

    /** KVM_CREATE_IRQCHIP (x86): in-kernel PIC, IOAPIC and a LAPIC per vCPU. */
    public void createIrqchip() {
        ioctl(Ioctls.KVM_CREATE_IRQCHIP, 0);
    }

    /** KVM_SET_GSI_ROUTING: replaces the whole input-to-irqchip-pin table. */
    public void setGsiRouting(java.util.List<KvmIrqRouting.Route> routes) {
        ioctl(Ioctls.KVM_SET_GSI_ROUTING, KvmIrqRouting.encode(routes));
    }

    /** KVM_CREATE_PIT2 (x86): in-kernel 8254. */
    public void createPit2(int flags) {
        KvmPitConfig c = new KvmPitConfig();
        c.flags = flags;
        ioctl(Ioctls.KVM_CREATE_PIT2, c);
    }

    /** KVM_ENABLE_CAP on the VM fd with args[0] = {@code arg0}. */
    public void enableCap(int cap, long arg0) {
        Memory m = KvmMsrFilter.enableCap(cap, arg0);
        ioctlPointer(Ioctls.KVM_ENABLE_CAP, m);
        java.lang.ref.Reference.reachabilityFence(m);
    }

    /**
     * KVM_X86_SET_MSR_FILTER: every MSR allowed except {@code count} from {@code base}, whose
     * reads and writes exit to userspace (needs KVM_CAP_X86_USER_SPACE_MSR with the filter reason).
     */
    public void denyMsrs(int base, int count) {
        Memory m = KvmMsrFilter.denying(base, count);
        ioctlPointer(Ioctls.KVM_X86_SET_MSR_FILTER, m);
        java.lang.ref.Reference.reachabilityFence(m);
    }

    /** KVM_IRQ_LINE: drives an interrupt input (x86: GSI; arm64: {@link Arm64Irq}). */
    public void irqLine(int irq, boolean level) {
        KvmIrqLevel l = new KvmIrqLevel();
        l.irq = irq;
        l.level = level ? 1 : 0;
        ioctl(Ioctls.KVM_IRQ_LINE, l);
    }

    /** KVM_CREATE_VCPU, and the mmap of its kvm_run. */
    public KvmVcpu createVcpu(int id) {
        int vcpuFd = ioctl(Ioctls.KVM_CREATE_VCPU, id);
        return new KvmVcpu(id, vcpuFd, system.vcpuMmapSize());
    }

    /** KVM_ARM_PREFERRED_TARGET (arm64): the target and features KVM suggests for this host. */
    public KvmVcpuInit armPreferredTarget() {
        KvmVcpuInit init = new KvmVcpuInit();
        ioctl(Ioctls.KVM_ARM_PREFERRED_TARGET, init);
        return init;
    }

    /** KVM_CREATE_DEVICE: an in-kernel device (arm64: the vGIC); returns its fd. */
    public KvmDevice createDevice(int type) {
        KvmCreateDevice d = new KvmCreateDevice();
        d.type = type;
        ioctl(Ioctls.KVM_CREATE_DEVICE, d);
        return new KvmDevice(d.fd);
    }

    /** KVM_CHECK_EXTENSION on the VM fd (some answers, like KVM_CAP_XSAVE2's size, are per VM). */
    public int checkExtension(int capability) {
        return ioctl(Ioctls.KVM_CHECK_EXTENSION, capability);
    }

    /** KVM_GET_IRQCHIP (x86): the state of the in-kernel chip {@code chipId} ({@link KvmIrqchip}). */
    byte[] getIrqchip(int chipId) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(KvmIrqchip.SIZE).order(java.nio.ByteOrder.nativeOrder());
        b.putInt(KvmIrqchip.OFF_chip_id, chipId);
        ioctl(Ioctls.KVM_GET_IRQCHIP, b);
        return b.array();
    }

    /** KVM_SET_IRQCHIP (x86): {@code state} from {@link #getIrqchip}, which names its chip. */
    void setIrqchip(byte[] state) {
        ioctl(Ioctls.KVM_SET_IRQCHIP, java.nio.ByteBuffer.wrap(state.clone()));
    }

    /** A VM ioctl that fills {@code size} bytes (KVM_GET_PIT2, KVM_GET_CLOCK). */
    byte[] getBlob(long request, int size) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(size).order(java.nio.ByteOrder.nativeOrder());
        ioctl(request, b);
        return b.array();
    }

    /** A VM ioctl that reads {@code blob} (KVM_SET_PIT2, KVM_SET_CLOCK). */
    void setBlob(long request, byte[] blob) {
        ioctl(request, java.nio.ByteBuffer.wrap(blob.clone()));
    }
}
