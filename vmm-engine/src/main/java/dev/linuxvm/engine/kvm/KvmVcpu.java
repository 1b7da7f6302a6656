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

    // Snapshot support: state carried as opaque native-order bytes, so one snapshot can be
    // restored by many threads at once without sharing a JNA structure.

    /** An ioctl that fills {@code size} bytes (KVM_GET_XSAVE, KVM_GET_VCPU_EVENTS, ...). */
    byte[] getBlob(long request, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        ioctl(request, b);
        return b.array();
    }

    /** An ioctl that reads {@code blob} (KVM_SET_XSAVE, KVM_SET_VCPU_EVENTS, ...). */
    void setBlob(long request, byte[] blob) {
        ioctl(request, ByteBuffer.wrap(blob.clone()).order(ByteOrder.nativeOrder()));
    }

    /** KVM_GET_CPUID2 (x86): the CPUID entries this vCPU was given, as KVM holds them. */
    public List<KvmCpuidEntry2> getCpuid2() {
        for (int capacity = 64; capacity <= 4096; capacity *= 2) {
            ByteBuffer b = KvmCpuid2.empty(capacity);
            try {
                ioctl(Ioctls.KVM_GET_CPUID2, b);
                return KvmCpuid2.decode(b);
            } catch (KvmException e) {
                if (!(e.getCause() instanceof LastErrorException)
                        || ((LastErrorException) e.getCause()).getErrorCode() != LibC.E2BIG) {
                    throw e;
                }
            }
        }
        throw new KvmException("KVM_GET_CPUID2 on vCPU " + id + ": more than 4096 entries");
    }

    /**
     * KVM_GET_MSRS for {@code indices}, in that order; an MSR KVM cannot read is left out (KVM
     * stops at the first one it refuses, so the call is repeated without it) and reported in
     * {@code refused}.
     */
    java.util.LinkedHashMap<Integer, Long> getMsrs(List<Integer> indices, List<Integer> refused) {
        List<Integer> todo = new java.util.ArrayList<>(indices);
        java.util.LinkedHashMap<Integer, Long> values = new java.util.LinkedHashMap<>();
        while (!todo.isEmpty()) {
            java.util.LinkedHashMap<Integer, Long> request = new java.util.LinkedHashMap<>();
            todo.forEach(i -> request.put(i, 0L));
            ByteBuffer b = KvmMsrs.encode(request);
            int done = ioctl(Ioctls.KVM_GET_MSRS, b);
            for (int k = 0; k < done; k++) {
                int at = KvmMsrs.HEADER_SIZE + k * KvmMsrs.ENTRY_SIZE;
                values.put(b.getInt(at + KvmMsrs.ENTRY_OFF_index), b.getLong(at + KvmMsrs.ENTRY_OFF_data));
            }
            if (done >= todo.size()) {
                break;
            }
            refused.add(todo.get(done));
            todo = new java.util.ArrayList<>(todo.subList(done + 1, todo.size()));
        }
        return values;
    }

    /** KVM_GET_MP_STATE. */
    int getMpState() {
        return ByteBuffer.wrap(getBlob(Ioctls.KVM_GET_MP_STATE, KvmMpState.SIZE)).order(ByteOrder.nativeOrder()).getInt(0);
    }

    /** KVM_SET_MP_STATE. */
    void setMpState(int state) {
        setBlob(Ioctls.KVM_SET_MP_STATE, ByteBuffer.allocate(KvmMpState.SIZE).order(ByteOrder.nativeOrder()).putInt(0, state).array());
    }

    /** KVM_GET_REG_LIST (arm64): every ONE_REG id this vCPU has, growing the list while KVM answers E2BIG. */
    long[] regList() {
        int capacity = 512;
        while (true) {
            ByteBuffer b = ByteBuffer.allocate(KvmRegList.HEADER_SIZE + 8 * capacity).order(ByteOrder.nativeOrder());
            b.putLong(0, capacity);
            try {
                ioctl(Ioctls.KVM_GET_REG_LIST, b);
            } catch (KvmException e) {
                if (e.getCause() instanceof LastErrorException
                        && ((LastErrorException) e.getCause()).getErrorCode() == LibC.E2BIG && b.getLong(0) > capacity) {
                    capacity = (int) b.getLong(0);
                    continue;
                }
                throw e;
            }
            long[] ids = new long[(int) b.getLong(0)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = b.getLong(KvmRegList.HEADER_SIZE + 8 * i);
            }
            return ids;
        }
    }

    /** KVM_GET_ONE_REG of any size (the size is in the id: {@link KvmRegList#size}). */
    byte[] getOneRegBytes(long regId) {
        Memory m = new Memory(KvmRegList.size(regId));
        KvmOneReg r = new KvmOneReg();
        r.id = regId;
        r.addr = Pointer.nativeValue(m);
        ioctl(Ioctls.KVM_GET_ONE_REG, r);
        return m.getByteArray(0, (int) m.size());
    }

    /** KVM_SET_ONE_REG of any size. */
    void setOneRegBytes(long regId, byte[] value) {
        Memory m = new Memory(value.length);
        m.write(0, value, 0, value.length);
        KvmOneReg r = new KvmOneReg();
        r.id = regId;
        r.addr = Pointer.nativeValue(m);
        ioctl(Ioctls.KVM_SET_ONE_REG, r);
        java.lang.ref.Reference.reachabilityFence(m);
    }
}
