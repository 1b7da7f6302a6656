package dev.linuxvm.engine.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * A vCPU file descriptor and its mmap'ed {@code struct kvm_run}. {@link #run()} and the
 * register calls belong to the vCPU's own thread; {@link #requestImmediateExit()} may be
 * called from any thread.
 */
public final class KvmVcpu extends Fd implements RunnableVcpu {
    private final int id;
    private final int mmapSize;
    private Pointer runMapping;
    private final ByteBuffer run;

    KvmVcpu(int id, int fd, int mmapSize) {
        super(fd);
        this.id = id;
        this.mmapSize = mmapSize;
        try {
            runMapping = LibC.INSTANCE.mmap(null, mmapSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        } catch (LastErrorException e) {
            super.close();
            throw KvmException.of("mmap of kvm_run for vCPU " + id, e);
        }
        run = runMapping.getByteBuffer(0, mmapSize).order(ByteOrder.nativeOrder());
    }

    @Override
    public int id() {
        return id;
    }

    /**
     * KVM_RUN until the next exit. The two errors that are retries come back as exits: EINTR (a
     * kick, or any signal) as {@link VcpuExit.Interrupted}, EAGAIN (an AP not yet started) as
     * {@link VcpuExit.NotRunnable}; QEMU, kvmtool and Firecracker retry both as well.
     */
    @Override
    public VcpuExit run() {
        try {
            LibC.INSTANCE.ioctl(fd, Ioctls.KVM_RUN, 0L);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EINTR) {
                run.put(KvmRun.immediate_exit, (byte) 0);
                return new VcpuExit.Interrupted();
            }
            if (e.getErrorCode() == LibC.EAGAIN) {
                return new VcpuExit.NotRunnable();
            }
            throw KvmException.of("KVM_RUN on vCPU " + id, e);
        }
        return KvmRun.decode(run);
    }

    /** kvm_run.immediate_exit = 1: the next (or current, once kicked) KVM_RUN returns EINTR at once. */
    @Override
    public void requestImmediateExit() {
        run.put(KvmRun.immediate_exit, (byte) 1);
    }

    /** The data bytes of an I/O exit ({@code size * count} bytes at io.data_offset). */
    void ioData(VcpuExit.Io io, byte[] into) {
        run.get((int) io.data_offset(), into, 0, io.size() * io.count());
    }

    void setIoData(VcpuExit.Io io, byte[] from) {
        run.put((int) io.data_offset(), from, 0, io.size() * io.count());
    }

    /**
     * Completes a {@link VcpuExit.Msr}: {@code error} makes KVM inject #GP into the guest;
     * otherwise a read returns {@code value} (a write's value is ignored).
     */
    void completeMsr(boolean error, long value) {
        run.put(KvmRun.msr_error, (byte) (error ? 1 : 0));
        run.putLong(KvmRun.msr_data, value);
    }

    long mmioData() {
        return run.getLong(KvmRun.mmio_data);
    }

    void setMmioData(long value) {
        run.putLong(KvmRun.mmio_data, value);
    }

    public KvmRegs getRegs() {
        KvmRegs r = new KvmRegs();
        ioctl(Ioctls.KVM_GET_REGS, r);
        return r;
    }

    public void setRegs(KvmRegs r) {
        ioctl(Ioctls.KVM_SET_REGS, r);
    }

    public KvmSregs getSregs() {
        KvmSregs s = new KvmSregs();
        ioctl(Ioctls.KVM_GET_SREGS, s);
        return s;
    }

    public void setSregs(KvmSregs s) {
        ioctl(Ioctls.KVM_SET_SREGS, s);
    }

    public void setFpu(KvmFpu f) {
        ioctl(Ioctls.KVM_SET_FPU, f);
    }

    /** KVM_SET_MSRS; fails naming the first MSR KVM refused. */
    public void setMsrs(Map<Integer, Long> msrs) {
        int done = ioctl(Ioctls.KVM_SET_MSRS, KvmMsrs.encode(msrs));
        if (done != msrs.size()) {
            int refused = msrs.keySet().stream().skip(done).findFirst().orElse(-1);
            throw new KvmException(String.format(
                    "KVM_SET_MSRS on vCPU %d: KVM refused MSR 0x%x (set %d of %d)", id, refused, done, msrs.size()));
        }
    }

    /** KVM_GET_TSC_KHZ (x86): the guest TSC frequency KVM emulates, which kvmclock also reports. */
    public long tscKhz() {
        return ioctl(Ioctls.KVM_GET_TSC_KHZ, 0L);
    }

    /** KVM_GET_LAPIC (x86, in-kernel irqchip): the local APIC register page. */
    public ByteBuffer getLapic() {
        ByteBuffer regs = ByteBuffer.allocate(X86Lapic.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ioctl(Ioctls.KVM_GET_LAPIC, regs);
        return regs;
    }

    public void setLapic(ByteBuffer regs) {
        ioctl(Ioctls.KVM_SET_LAPIC, regs);
    }

    public void setCpuid2(List<KvmCpuidEntry2> entries) {
        ioctl(Ioctls.KVM_SET_CPUID2, KvmCpuid2.encode(entries));
    }

    /** KVM_TRANSLATE (x86): the guest physical address of {@code linear}, or -1 if unmapped. */
    public long translate(long linear) {
        KvmTranslation t = new KvmTranslation();
        t.linear_address = linear;
        ioctl(Ioctls.KVM_TRANSLATE, t);
        return t.valid != 0 ? t.physical_address : -1;
    }

    public void setOneReg(long regId, long value) {
        Memory m = new Memory(8);
        m.setLong(0, value);
        KvmOneReg r = new KvmOneReg();
        r.id = regId;
        r.addr = Pointer.nativeValue(m);
        ioctl(Ioctls.KVM_SET_ONE_REG, r);
        java.lang.ref.Reference.reachabilityFence(m);
    }

    public long getOneReg(long regId) {
        Memory m = new Memory(8);
        KvmOneReg r = new KvmOneReg();
        r.id = regId;
        r.addr = Pointer.nativeValue(m);
        ioctl(Ioctls.KVM_GET_ONE_REG, r);
        return m.getLong(0);
    }

    /** KVM_ARM_VCPU_INIT (arm64). */
    public void armVcpuInit(KvmVcpuInit init) {
        ioctl(Ioctls.KVM_ARM_VCPU_INIT, init);
    }

    @Override
    public synchronized void close() {
        if (runMapping != null) {
            try {
                LibC.INSTANCE.munmap(runMapping, mmapSize);
            } catch (LastErrorException e) {
                throw KvmException.of("munmap of kvm_run for vCPU " + id, e);
            } finally {
                runMapping = null;
                super.close();
            }
        }
    }
}
