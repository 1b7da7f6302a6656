package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.backend.VmExit;
import dev.linuxvm.engine.devices.IoPortBus;
import dev.linuxvm.engine.devices.MmioBus;
import dev.linuxvm.engine.devices.PowerEvents;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** Exit handling shared by the architectures: bus dispatch, power events, system events. */
final class ExitDispatch implements PowerEvents {
    private final AtomicReference<VmExit> requested = new AtomicReference<>();

    @Override
    public void powerOff(String how) {
        requested.compareAndSet(null, new VmExit.PoweredOff());
    }

    @Override
    public void reset(String how) {
        requested.compareAndSet(null, new VmExit.Reset());
    }

    /** What a device asked for during the last dispatch, if anything. */
    Optional<VmExit> requested() {
        return Optional.ofNullable(requested.get());
    }

    /** KVM_EXIT_IO: each of {@code count} accesses goes to the port bus (string I/O repeats). */
    static void io(KvmVcpu vcpu, VcpuExit.Io io, IoPortBus bus) {
        byte[] data = new byte[io.size() * io.count()];
        if (io.out()) {
            vcpu.ioData(io, data);
        }
        ioAccess(io, data, bus);
        if (!io.out()) {
            vcpu.setIoData(io, data);
        }
    }

    /** Performs {@code io} against {@code bus}; OUT data comes from, IN data goes to, {@code data}. */
    static void ioAccess(VcpuExit.Io io, byte[] data, IoPortBus bus) {
        int size = io.size();
        for (int i = 0; i < io.count(); i++) {
            if (io.out()) {
                bus.write(io.port(), (int) littleEndian(data, i * size, size), size);
            } else {
                putLittleEndian(data, i * size, size, bus.read(io.port(), size));
            }
        }
    }

    /** KVM_EXIT_MMIO: data is little-endian in the low {@code len} bytes of mmio.data. */
    static void mmio(KvmVcpu vcpu, VcpuExit.Mmio mmio, MmioBus bus) {
        long mask = mmio.len() >= 8 ? -1L : (1L << (8 * mmio.len())) - 1;
        if (mmio.is_write()) {
            bus.write(mmio.phys_addr(), vcpu.mmioData() & mask, mmio.len());
        } else {
            vcpu.setMmioData(bus.read(mmio.phys_addr(), mmio.len()) & mask);
        }
    }

    /** KVM_EXIT_SYSTEM_EVENT (PSCI SYSTEM_OFF / SYSTEM_RESET, or a guest crash report). */
    static VmExit systemEvent(VcpuExit.SystemEvent e, String where) {
        switch (e.type()) {
            case KvmRun.KVM_SYSTEM_EVENT_SHUTDOWN: return new VmExit.PoweredOff();
            case KvmRun.KVM_SYSTEM_EVENT_RESET: return new VmExit.Reset();
            case KvmRun.KVM_SYSTEM_EVENT_CRASH: return new VmExit.Crashed("guest reported a crash (KVM_SYSTEM_EVENT_CRASH) " + where);
            default: return new VmExit.Crashed("unknown KVM_EXIT_SYSTEM_EVENT type " + e.type() + " " + where);
        }
    }

    static long littleEndian(byte[] b, int at, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    static void putLittleEndian(byte[] b, int at, int size, long v) {
        for (int i = 0; i < size; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte x : bytes) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }
}
