package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.devices.Uart16550;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an x86_64 KVM machine holds besides RAM, captured while no vCPU runs, with the order of
 * the calls that save and restore it. The VM: the in-kernel PIT, kvmclock, master and slave PIC
 * and IOAPIC. Each vCPU ({@link Vcpu}): CPUID, MP state, regs, sregs, XSAVE (or the legacy FPU
 * area), XCRs, debug registers, LAPIC, every MSR KVM_GET_MSR_INDEX_LIST names, and the pending
 * events. Our devices: COM1. The GSI routing and the MSR filter are not read back (KVM has no
 * call for either): the clone's machine sets them as {@link KvmX86Machine} always does.
 *
 * <p>Order (Firecracker's vstate/vcpu.rs and vm.rs, whose comments explain each constraint;
 * QEMU's target/i386/kvm/kvm.c agrees):
 * <ol>
 *   <li>save, per vCPU: MP state first (KVM_GET_MP_STATE runs kvm_apic_accept_events, which may
 *       change vCPU and LAPIC state), then regs, sregs, XSAVE, XCRs, debug registers, LAPIC,
 *       MSRs, and the events last (the other GETs may change pending-event state);</li>
 *   <li>restore the VM before the vCPUs: PIT, clock, PICs, IOAPIC;</li>
 *   <li>restore, per vCPU: CPUID, MP state, regs (which clear pending exceptions, so before the
 *       events), sregs (which restore the APIC base, so before the LAPIC), XSAVE, XCRs, debug
 *       registers, LAPIC (before the MSRs: the TSC deadline MSR only takes with the LAPIC
 *       configured), MSRs with IA32_TSC_DEADLINE after IA32_TSC, the events last.</li>
 * </ol>
 * kvmclock: KVM_SET_CLOCK with flags 0 sets the clock to the saved value, so the guest's
 * clocksource continues from the snapshot instant (the clone's wall clock lags: set it in the
 * guest, DESIGN.md "Snapshots").
 */
record X86MachineState(Vm vm, List<Vcpu> vcpus, Uart16550.State com1, List<Integer> unreadableMsrs)
        implements KvmSnapshot.MachineState {
    /** IA32_TSC and IA32_TSC_DEADLINE (SDM Vol. 4, Table 2-2). */
    static final int MSR_IA32_TSC = 0x10, MSR_IA32_TSC_DEADLINE = 0x6E0;

    /** The VM's in-kernel devices and clock, as opaque KVM structures. */
    record Vm(byte[] pit, byte[] clock, byte[] picMaster, byte[] picSlave, byte[] ioapic) {
    }

    /** One vCPU; {@code null} for a part this KVM has no call for (its capability is absent). */
    record Vcpu(byte[] cpuid, int mpState, byte[] regs, byte[] sregs, byte[] xsave, byte[] fpu, byte[] xcrs,
                byte[] debugregs, byte[] lapic, Map<Integer, Long> msrs, byte[] events) {
    }

    /** Which optional state calls this KVM has (KVM_CHECK_EXTENSION on the VM). */
    record Caps(boolean mpState, int xsave2Size, boolean xsave, boolean xcrs, boolean debugregs,
                boolean vcpuEvents, boolean clock) {
        static Caps of(KvmVm vm) {
            return new Caps(vm.checkExtension(Ioctls.KVM_CAP_MP_STATE) > 0,
                    vm.checkExtension(Ioctls.KVM_CAP_XSAVE2),
                    vm.checkExtension(Ioctls.KVM_CAP_XSAVE) > 0,
                    vm.checkExtension(Ioctls.KVM_CAP_XCRS) > 0,
                    vm.checkExtension(Ioctls.KVM_CAP_DEBUGREGS) > 0,
                    vm.checkExtension(Ioctls.KVM_CAP_VCPU_EVENTS) > 0,
                    vm.checkExtension(Ioctls.KVM_CAP_ADJUST_CLOCK) > 0);
        }
    }

    /** Captures VM and vCPUs; no vCPU may be inside KVM_RUN. */
    static X86MachineState capture(KvmSystem system, KvmVm vm, List<KvmVcpu> vcpus, Uart16550 com1) {
        Caps caps = Caps.of(vm);
        List<Integer> msrIndices = msrRestoreOrder(system.msrIndexList());
        List<Integer> unreadable = new ArrayList<>();
        List<Vcpu> states = new ArrayList<>();
        for (KvmVcpu v : vcpus) {
            List<Integer> refused = new ArrayList<>();
            states.add(capture(v, caps, msrIndices, refused));
            if (v.id() == 0) {
                unreadable.addAll(refused);
            }
        }
        Vm vmState = new Vm(
                vm.getBlob(Ioctls.KVM_GET_PIT2, KvmPitState2.SIZE),
                caps.clock() ? vm.getBlob(Ioctls.KVM_GET_CLOCK, KvmClockData.SIZE) : null,
                vm.getIrqchip(KvmIrqchip.KVM_IRQCHIP_PIC_MASTER),
                vm.getIrqchip(KvmIrqchip.KVM_IRQCHIP_PIC_SLAVE),
                vm.getIrqchip(KvmIrqchip.KVM_IRQCHIP_IOAPIC));
        return new X86MachineState(vmState, List.copyOf(states), com1.snapshot(), List.copyOf(unreadable));
    }

    /** KVM's list with IA32_TSC_DEADLINE moved after IA32_TSC (the deadline is in TSC units). */
    static List<Integer> msrRestoreOrder(List<Integer> kvmList) {
        List<Integer> ordered = new ArrayList<>(kvmList);
        if (ordered.remove((Integer) MSR_IA32_TSC_DEADLINE)) {
            ordered.add(MSR_IA32_TSC_DEADLINE);
        }
        return ordered;
    }

    private static Vcpu capture(KvmVcpu v, Caps caps, List<Integer> msrIndices, List<Integer> refused) {
        int mp = caps.mpState() ? v.getMpState() : KvmMpState.KVM_MP_STATE_RUNNABLE;
        byte[] regs = v.getBlob(Ioctls.KVM_GET_REGS, KvmRegs.SIZE);
        byte[] sregs = v.getBlob(Ioctls.KVM_GET_SREGS, KvmSregs.SIZE);
        byte[] xsave = null, fpu = null;
        if (caps.xsave2Size() > 0) {
            xsave = v.getBlob(Ioctls.KVM_GET_XSAVE2, Math.max(caps.xsave2Size(), KvmXsave.SIZE));
        } else if (caps.xsave()) {
            xsave = v.getBlob(Ioctls.KVM_GET_XSAVE, KvmXsave.SIZE);
        } else {
            fpu = v.getBlob(Ioctls.KVM_GET_FPU, KvmFpu.SIZE);
        }
        byte[] xcrs = caps.xcrs() ? v.getBlob(Ioctls.KVM_GET_XCRS, KvmXcrs.SIZE) : null;
        byte[] debugregs = caps.debugregs() ? v.getBlob(Ioctls.KVM_GET_DEBUGREGS, KvmDebugregs.SIZE) : null;
        byte[] lapic = v.getBlob(Ioctls.KVM_GET_LAPIC, X86Lapic.SIZE);
        Map<Integer, Long> msrs = java.util.Collections.unmodifiableMap(v.getMsrs(msrIndices, refused));
        byte[] events = caps.vcpuEvents() ? v.getBlob(Ioctls.KVM_GET_VCPU_EVENTS, KvmVcpuEvents.SIZE) : null;
        byte[] cpuid = KvmCpuid2.encode(v.getCpuid2()).array();
        return new Vcpu(cpuid, mp, regs, sregs, xsave, fpu, xcrs, debugregs, lapic, msrs, events);
    }

    /** Restores the VM's devices and clock; vCPUs may exist but must not run yet. */
    void restoreVm(KvmVm vm) {
        vm.setBlob(Ioctls.KVM_SET_PIT2, this.vm.pit());
        if (this.vm.clock() != null) {
            ByteBuffer c = ByteBuffer.allocate(KvmClockData.SIZE).order(ByteOrder.nativeOrder());
            c.putLong(KvmClockData.OFF_clock, ByteBuffer.wrap(this.vm.clock()).order(ByteOrder.nativeOrder())
                    .getLong(KvmClockData.OFF_clock));
            c.putInt(KvmClockData.OFF_flags, 0); // the saved value as is: no KVM_CLOCK_REALTIME catch-up
            vm.setBlob(Ioctls.KVM_SET_CLOCK, c.array());
        }
        vm.setIrqchip(this.vm.picMaster());
        vm.setIrqchip(this.vm.picSlave());
        vm.setIrqchip(this.vm.ioapic());
    }

    /** Restores one vCPU in the order of the class comment. */
    static void restore(KvmVcpu v, Vcpu s, Caps caps) {
        v.setBlob(Ioctls.KVM_SET_CPUID2, s.cpuid());
        if (caps.mpState()) {
            v.setMpState(s.mpState());
        }
        v.setBlob(Ioctls.KVM_SET_REGS, s.regs());
        v.setBlob(Ioctls.KVM_SET_SREGS, s.sregs());
        if (s.xsave() != null) {
            v.setBlob(Ioctls.KVM_SET_XSAVE, s.xsave());
        } else {
            v.setBlob(Ioctls.KVM_SET_FPU, s.fpu());
        }
        if (s.xcrs() != null) {
            v.setBlob(Ioctls.KVM_SET_XCRS, s.xcrs());
        }
        if (s.debugregs() != null) {
            v.setBlob(Ioctls.KVM_SET_DEBUGREGS, s.debugregs());
        }
        v.setBlob(Ioctls.KVM_SET_LAPIC, s.lapic());
        v.setMsrs(s.msrs());
        if (s.events() != null) {
            ByteBuffer e = ByteBuffer.wrap(s.events().clone()).order(ByteOrder.nativeOrder());
            // As QEMU does: also apply the pending NMI and the SIPI vector, which GET reports
            // but does not flag.
            e.putInt(KvmVcpuEvents.OFF_flags, e.getInt(KvmVcpuEvents.OFF_flags)
                    | KvmVcpuEvents.KVM_VCPUEVENT_VALID_NMI_PENDING | KvmVcpuEvents.KVM_VCPUEVENT_VALID_SIPI_VECTOR);
            v.setBlob(Ioctls.KVM_SET_VCPU_EVENTS, e.array());
        }
    }
}
