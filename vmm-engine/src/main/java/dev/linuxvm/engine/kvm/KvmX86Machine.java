package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.RamRange;
import dev.linuxvm.engine.VmmException.Kind;
import dev.linuxvm.engine.acpi.X86AcpiParams;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.VmExit;
import dev.linuxvm.engine.X86BootState;
import dev.linuxvm.engine.boot.x86.X86Layout;
import dev.linuxvm.engine.devices.I8042;
import dev.linuxvm.engine.devices.IoPortBus;
import dev.linuxvm.engine.devices.MmioBus;
import dev.linuxvm.engine.devices.Pm1Control;
import dev.linuxvm.engine.devices.Pm1Event;
import dev.linuxvm.engine.devices.PowerEvents;
import dev.linuxvm.engine.devices.ResetControl;
import dev.linuxvm.engine.devices.Uart16550;

import java.nio.ByteBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An x86_64 KVM machine for a {@link GuestImage} whose boot state is {@link X86BootState}.
 * Built in this order:
 * <ol>
 *   <li>KVM_CREATE_VM; KVM_SET_TSS_ADDR and KVM_SET_IDENTITY_MAP_ADDR (VMX needs both, outside
 *       RAM, below 4 GiB);</li>
 *   <li>KVM_CREATE_IRQCHIP (PIC, IOAPIC, LAPICs) and KVM_CREATE_PIT2 with the dummy speaker
 *       port, before any vCPU; KVM_SET_GSI_ROUTING as the MADT's overrides say
 *       ({@link X86IrqRouting});</li>
 *   <li>when KVM virtualizes no PMU (kvm.enable_pmu=N), an MSR filter hands the K7 performance
 *       MSRs to us and we answer them as counters that read 0 ({@link #handle});</li>
 *   <li>guest RAM: one anonymous mmap and memory slot per range of the image's RAM (below the
 *       32-bit hole, and from 4 GiB up), the image's regions copied in, and
 *       {@link X86Layout#resetVectorStub()} at the real-mode reset vector (no firmware here);</li>
 *   <li>each vCPU: KVM_SET_CPUID2 from KVM_GET_SUPPORTED_CPUID with the masks, its APIC ID, the
 *       hypervisor bit and the TSC frequency from KVM_GET_TSC_KHZ ({@link X86Cpuid}),
 *       LINT0 = ExtINT and LINT1 = NMI in its LAPIC ({@link X86Lapic});
 *       the BSP (vCPU 0) also gets sregs, regs, FPU and MSRs for the 64-bit entry. APs wait in
 *       the in-kernel LAPIC for INIT/SIPI;</li>
 *   <li>devices on the port bus: COM1 16550 (IRQ 4 via KVM_IRQ_LINE), the ACPI sleep status
 *       (reads 0) and sleep control registers, reset control (ports in {@link X86Layout}), the
 *       i8042 reset path.</li>
 * </ol>
 */
final class KvmX86Machine implements KvmMachine<KvmVcpu> {
    /**
     * The 32-bit hole no RAM may overlap: IOAPIC (0xFEC0_0000), LAPIC (0xFEE0_0000) and the
     * TSS / identity-map pages are in it ({@link X86Layout}).
     */
    static final long HOLE_START = X86Layout.MMIO_HOLE_START, HOLE_END = X86Layout.HIGH_RAM_START;
    /** COM1 (vmm-engine/README.md, "x86_64"). */
    static final int COM1_PORT = X86Layout.COM1_PORT, COM1_IRQ = X86Layout.COM1_IRQ;
    /**
     * The legacy AMD performance MSRs, PERF_CTL0..3 then PERF_CTR0..3 (AMD APM Vol. 2, 13.2.1;
     * MSR_K7_EVNTSEL0 in arch/x86/include/asm/msr-index.h). Linux 6.1 probes them on any AMD
     * family >= 6 with no CPUID switch (arch/x86/events/amd/core.c, amd_pmu_init, then
     * check_hw_exists). When KVM virtualizes no PMU it refuses them with #GP and logs
     * "Unhandled WRMSR(0xc0010007)" in the host's kernel log on every boot; answered by us as
     * counters that read 0 and ignore writes, the guest concludes "PMU not available due to
     * virtualization" just the same, and the host log stays clean.
     */
    static final int MSR_K7_EVNTSEL0 = 0xC001_0000, K7_PERF_MSR_COUNT = 8;

    /** IA32_MISC_ENABLE (SDM Vol. 4, Table 2-2) and its fast-strings bit, set as firmware does. */
    static final int MSR_IA32_MISC_ENABLE = 0x1A0;
    static final long MSR_IA32_MISC_ENABLE_FAST_STRING = 1;

    private final KvmSystem system;
    private final KvmVm vm;
    private final List<GuestMemory> memory;
    private final List<KvmVcpu> vcpus = new ArrayList<>();
    private final ExitDispatch dispatch = new ExitDispatch();
    private final IoPortBus ports = new IoPortBus();
    private final MmioBus mmio = new MmioBus();
    private final Uart16550 com1;

    private KvmX86Machine(KvmSystem system, KvmVm vm, List<GuestMemory> memory, ConsoleListener console) {
        this.system = system;
        this.vm = vm;
        this.memory = memory;
        this.com1 = new Uart16550(console, level -> vm.irqLine(COM1_IRQ, level));
        wirePorts(ports, com1, dispatch);
    }

    /**
     * linuxvm's x86_64 port map (vmm-engine/README.md, "x86_64"): COM1, the FADT's sleep status
     * and sleep control registers (the latter also taking the legacy 16-bit PM1_CNT form), the
     * reset register, i8042: ports from {@link X86Layout}.
     */
    static void wirePorts(IoPortBus ports, Uart16550 com1, PowerEvents events) {
        I8042 i8042 = new I8042(events);
        ports.register("COM1 16550", COM1_PORT, Uart16550.PORT_COUNT, com1)
                .register("sleep status", X86Layout.SLEEP_STATUS_PORT, Pm1Event.LENGTH, new Pm1Event())
                .register("sleep control", X86Layout.SLEEP_CONTROL_PORT, Pm1Control.LENGTH, new Pm1Control(events))
                .register("reset control", X86Layout.RESET_PORT, 1, new ResetControl(events))
                .register("i8042 data", I8042.DATA_PORT, 1, i8042.dataPort())
                .register("i8042 command", I8042.COMMAND_PORT, 1, i8042.commandPort());
    }

    /**
     * Whether KVM virtualizes a PMU for its guests: the {@code kvm.enable_pmu} parameter
     * (Linux 5.18+; "N" when the host has no usable PMU, as under TCG). Without the parameter,
     * an older KVM: assume it does.
     */
    static boolean kvmPmuEnabled(Path sysModule) {
        Path p = sysModule.resolve("kvm/parameters/enable_pmu");
        try {
            return !Files.readString(p).strip().equals("N");
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * The VM-wide setup every x86 machine gets, fresh or restored: the pages VMX needs, the
     * in-kernel irqchip and PIT, GSI routing as the MADT's overrides say, and, when KVM has no PMU
     * of its own, the MSR filter that hands us the K7 performance MSRs.
     */
    private static void setUpVm(KvmSystem system, KvmVm vm) {
        vm.setTssAddr(X86Layout.KVM_TSS_START);
        vm.setIdentityMapAddr(X86Layout.KVM_IDENTITY_MAP_START);
        vm.createIrqchip();
        vm.createPit2(KvmPitConfig.KVM_PIT_SPEAKER_DUMMY);
        vm.setGsiRouting(X86IrqRouting.forOverrides(X86AcpiParams.ISA_OVERRIDES));
        if (!kvmPmuEnabled(Path.of("/sys/module")) && system.checkExtension(Ioctls.KVM_CAP_X86_USER_SPACE_MSR) != 0) {
            vm.enableCap(Ioctls.KVM_CAP_X86_USER_SPACE_MSR, KvmMsrFilter.KVM_MSR_EXIT_REASON_FILTER);
            vm.denyMsrs(MSR_K7_EVNTSEL0, K7_PERF_MSR_COUNT);
        }
    }

    /** Builds the machine; on failure closes what it opened, {@code system} included. */
    static KvmX86Machine create(KvmSystem system, GuestImage image, ConsoleListener console, List<CpuidMask> masks) {
        return create(system, image, console, masks, false);
    }

    /** As above; {@code sharedRam}: RAM in memfds, so that {@link #snapshot} works. */
    static KvmX86Machine create(KvmSystem system, GuestImage image, ConsoleListener console, List<CpuidMask> masks,
                                boolean sharedRam) {
        X86BootState boot = image.bootState().match(x86 -> x86, arm64 -> {
            throw new KvmException(Kind.INTERNAL, "x86_64 KVM machine: the image's boot state is for aarch64");
        });
        List<RamRange> slots = memorySlots(image.ramRanges());
        KvmVm vm = null;
        List<GuestMemory> memory = new ArrayList<>();
        KvmX86Machine machine = null;
        try {
            int maxVcpus = Math.max(system.checkExtension(Ioctls.KVM_CAP_MAX_VCPUS), system.checkExtension(Ioctls.KVM_CAP_NR_VCPUS));
            if (image.cpus() > maxVcpus && maxVcpus > 0) {
                throw new KvmException("x86_64 KVM machine: " + image.cpus() + " vCPUs requested, this KVM allows "
                        + maxVcpus + ": lower the cpu count");
            }
            // Read file-backed regions (the kernel) before the VM exists, as the engine did before they
            // were read lazily: the time from KVM_CREATE_VM to the first KVM_RUN stays short (kvmclock
            // starts at the VM's creation; reading 45 MB in the nested lab took 0.3 s there).
            image.regions().forEach(MemoryRegion::data);
            vm = system.createVm();
            setUpVm(system, vm);
            for (int slot = 0; slot < slots.size(); slot++) {
                GuestMemory ram = sharedRam
                        ? GuestMemory.allocateShared(slots.get(slot).base(), slots.get(slot).size())
                        : GuestMemory.allocate(slots.get(slot).base(), slots.get(slot).size());
                memory.add(ram);
                vm.setUserMemoryRegion(slot, ram);
            }
            for (MemoryRegion r : image.regions()) {
                ramAt(memory, r.address(), r.length()).orElseThrow().write(r.address(), r.data());
            }
            // no firmware here: a reboot that ends at the real-mode reset vector resets the machine
            byte[] stub = X86Layout.resetVectorStub();
            ramAt(memory, X86Layout.RESET_VECTOR, stub.length).ifPresent(m -> m.write(X86Layout.RESET_VECTOR, stub));
            machine = new KvmX86Machine(system, vm, memory, console);
            List<KvmCpuidEntry2> supported = system.supportedCpuid();
            long tscKhz = 0;
            for (int id = 0; id < image.cpus(); id++) {
                KvmVcpu vcpu = vm.createVcpu(id);
                machine.vcpus.add(vcpu);
                if (id == 0) {
                    tscKhz = tscKhz(system, vcpu);
                }
                vcpu.setCpuid2(X86Cpuid.forVcpu(supported, masks, id, tscKhz));
                ByteBuffer lapic = vcpu.getLapic();
                X86Lapic.setLint(lapic);
                vcpu.setLapic(lapic);
            }
            setUpBsp(machine.vcpus.get(0), boot);
            return machine;
        } catch (RuntimeException e) {
            if (machine != null) {
                machine.close();
            } else {
                memory.forEach(KvmX86Machine::closeQuietly);
                closeQuietly(vm);
                closeQuietly(system);
            }
            throw e;
        }
    }

    /**
     * The KVM memory slots for the image's RAM, slot i = range i: exactly the ranges the builder
     * decided (x86_64 beyond 3 GiB: [0, 3 GiB) and [4 GiB, ...)), none inside the 32-bit hole.
     */
    static List<RamRange> memorySlots(List<RamRange> ram) {
        for (RamRange r : ram) {
            if (r.base() < HOLE_END && r.end() > HOLE_START) {
                throw new KvmException(String.format("x86_64 KVM machine: %s overlaps the 32-bit hole [0x%x-0x%x)"
                        + " (IOAPIC, LAPIC): RAM above 3 GiB must continue at 4 GiB", r, HOLE_START, HOLE_END));
            }
        }
        return List.copyOf(ram);
    }

    /** The RAM mapping holding [{@code gpa}, {@code gpa + length}), if one does. */
    private static Optional<GuestMemory> ramAt(List<GuestMemory> memory, long gpa, long length) {
        return memory.stream().filter(m -> gpa >= 0 && m.contains(gpa, length)).findFirst();
    }

    /** KVM_GET_TSC_KHZ, or 0 when this KVM cannot tell (the timing CPUID leaf is then left out). */
    private static long tscKhz(KvmSystem system, KvmVcpu vcpu) {
        if (system.checkExtension(Ioctls.KVM_CAP_GET_TSC_KHZ) <= 0) {
            return 0;
        }
        try {
            return vcpu.tscKhz();
        } catch (KvmException e) {
            return 0;
        }
    }

    /** The 64-bit boot protocol's entry state (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"). */
    static void setUpBsp(KvmVcpu bsp, X86BootState s) {
        KvmSregs sregs = bsp.getSregs();
        applyBootSregs(sregs, s);
        bsp.setSregs(sregs);

        KvmRegs regs = new KvmRegs();
        regs.rip = s.rip();
        regs.rsi = s.rsi();
        regs.rsp = s.rsp();
        regs.rflags = s.rflags();
        bsp.setRegs(regs);

        KvmFpu fpu = new KvmFpu();
        fpu.fcw = KvmFpu.FCW_DEFAULT;
        fpu.mxcsr = KvmFpu.MXCSR_DEFAULT;
        bsp.setFpu(fpu);

        Map<Integer, Long> msrs = new LinkedHashMap<>();
        msrs.put(MSR_IA32_MISC_ENABLE, MSR_IA32_MISC_ENABLE_FAST_STRING);
        bsp.setMsrs(msrs);
    }

    /** Segment type values (SDM Vol. 3A, 3.4.5.1): execute/read accessed code, read/write accessed data. */
    static final int TYPE_CODE_XRA = 0xB, TYPE_DATA_RWA = 0x3;
    /** System segment types (SDM Vol. 3A, 3.5): LDT, busy 64-bit TSS. */
    static final int TYPE_LDT = 0x2, TYPE_TSS_BUSY = 0xB;

    /**
     * Flat long-mode segments matching the GDT the engine built: CS a 64-bit code segment (L=1,
     * D=0), the data selector for DS/ES/FS/GS/SS, TR a busy TSS and the LDT present but empty
     * (VM entry requires a usable TR; the kernel loads its own soon after).
     */
    static void applyBootSregs(KvmSregs sregs, X86BootState s) {
        sregs.cs.set(0, 0xFFFF_FFFF, s.codeSelector(), TYPE_CODE_XRA, true, 0, false, true, true, true);
        for (KvmSegment seg : new KvmSegment[] {sregs.ds, sregs.es, sregs.fs, sregs.gs, sregs.ss}) {
            seg.set(0, 0xFFFF_FFFF, s.dataSelector(), TYPE_DATA_RWA, true, 0, true, true, false, true);
        }
        sregs.tr.set(0, 0xFFFF, 0, TYPE_TSS_BUSY, true, 0, false, false, false, false);
        sregs.ldt.set(0, 0xFFFF, 0, TYPE_LDT, true, 0, false, false, false, false);
        sregs.gdt.base = s.gdtBase();
        sregs.gdt.limit = (short) s.gdtLimit();
        sregs.cr0 = s.cr0();
        sregs.cr3 = s.cr3();
        sregs.cr4 = s.cr4();
        sregs.efer = s.efer();
    }

    @Override
    public List<KvmVcpu> vcpus() {
        return vcpus;
    }

    @Override
    public Optional<VmExit> handle(KvmVcpu vcpu, VcpuExit exit) {
        if (exit instanceof VcpuExit.Io) {
            ExitDispatch.io(vcpu, (VcpuExit.Io) exit, ports);
            return dispatch.requested();
        } else if (exit instanceof VcpuExit.Mmio) {
            ExitDispatch.mmio(vcpu, (VcpuExit.Mmio) exit, mmio);
            return dispatch.requested();
        } else if (exit instanceof VcpuExit.Msr) {
            VcpuExit.Msr m = (VcpuExit.Msr) exit;
            boolean perf = m.index() >= MSR_K7_EVNTSEL0 && m.index() < MSR_K7_EVNTSEL0 + K7_PERF_MSR_COUNT;
            vcpu.completeMsr(!perf, 0); // anything else: #GP, as KVM itself would
            return Optional.empty();
        } else if (exit instanceof VcpuExit.Shutdown) {
            return Optional.of(new VmExit.Crashed("triple fault (KVM_EXIT_SHUTDOWN) on vCPU " + vcpu.id() + whereAfterShutdown(vcpu)));
        } else if (exit instanceof VcpuExit.InternalError) {
            VcpuExit.InternalError ie = (VcpuExit.InternalError) exit;
            String kind = ie.suberror() == KvmRun.KVM_INTERNAL_ERROR_EMULATION
                    ? "emulation failure (KVM_INTERNAL_ERROR_EMULATION)"
                    : "KVM internal error, suberror " + ie.suberror();
            return Optional.of(new VmExit.Crashed(kind + " on vCPU " + vcpu.id() + where(vcpu)
                    + (ie.data().length > 0 ? ", data " + java.util.Arrays.toString(hexWords(ie.data())) : "")));
        } else if (exit instanceof VcpuExit.FailEntry) {
            VcpuExit.FailEntry f = (VcpuExit.FailEntry) exit;
            return Optional.of(new VmExit.Crashed(String.format(
                    "KVM_EXIT_FAIL_ENTRY: hardware entry failure reason 0x%x on cpu %d%s",
                    f.hardware_entry_failure_reason(), f.cpu(), where(vcpu))));
        } else if (exit instanceof VcpuExit.Hlt) {
            return Optional.of(new VmExit.Crashed("vCPU " + vcpu.id() + " halted (KVM_EXIT_HLT) and nothing can wake it" + where(vcpu)));
        } else if (exit instanceof VcpuExit.SystemEvent) {
            return Optional.of(ExitDispatch.systemEvent((VcpuExit.SystemEvent) exit, "on vCPU " + vcpu.id()));
        } else if (exit instanceof VcpuExit.Other) {
            VcpuExit.Other o = (VcpuExit.Other) exit;
            return Optional.of(new VmExit.Crashed(String.format("unexpected KVM exit reason %d (hardware reason 0x%x) on vCPU %d%s",
                    o.exit_reason(), o.hardware_exit_reason(), vcpu.id(), where(vcpu))));
        }
        return Optional.empty();
    }

    /** The x86 reset vector: CS base 0xFFFF0000, RIP 0xFFF0 (SDM Vol. 3A, 9.1.4 "First Instruction Executed"). */
    static final long RESET_CS_BASE = 0xFFFF_0000L, RESET_RIP = 0xFFF0;

    /**
     * Like {@link #where}, except when KVM already reset the vCPU: on AMD (SVM) the VMCB is
     * undefined after a SHUTDOWN intercept, so KVM re-initialises the vCPU before returning
     * KVM_EXIT_SHUTDOWN (arch/x86/kvm/svm/svm.c, shutdown_interception) and the faulting RIP is
     * gone. Saying "at RIP 0xfff0" then would send the reader to the wrong place.
     */
    private String whereAfterShutdown(KvmVcpu vcpu) {
        try {
            if (vcpu.getRegs().rip == RESET_RIP && vcpu.getSregs().cs.base == RESET_CS_BASE) {
                return " (KVM reset the vCPU on the shutdown, as it does on AMD SVM hosts: the faulting RIP is not available)";
            }
        } catch (RuntimeException e) {
            return " (registers unavailable: " + e.getMessage() + ")";
        }
        return where(vcpu);
    }

    /** " at RIP 0x… (bytes f0 48 0f c7 …)" from the vCPU's registers and guest memory. */
    private String where(KvmVcpu vcpu) {
        long rip;
        try {
            rip = vcpu.getRegs().rip;
        } catch (RuntimeException e) {
            return " (registers unavailable: " + e.getMessage() + ")";
        }
        String text = String.format(" at RIP 0x%x", rip);
        long gpa;
        try {
            gpa = vcpu.translate(rip);
        } catch (RuntimeException e) {
            gpa = rip; // paging off or KVM_TRANSLATE unsupported: try it as physical
        }
        Optional<GuestMemory> ram = ramAt(memory, gpa, 16);
        if (ram.isPresent()) {
            text += " (instruction bytes " + ExitDispatch.hex(ram.get().read(gpa, 16)) + ")";
        }
        return text;
    }

    private static String[] hexWords(long[] data) {
        String[] s = new String[data.length];
        for (int i = 0; i < data.length; i++) {
            s[i] = "0x" + Long.toHexString(data[i]);
        }
        return s;
    }

    /** Ports accessed that no device owns, for reports. */
    Map<Integer, Long> unknownPortAccesses() {
        return ports.unknownPortAccesses();
    }

    @Override
    public boolean consoleInput(byte[] data, int offset, int length, java.util.function.BooleanSupplier stop)
            throws InterruptedException {
        return com1.receiveWaiting(data, offset, length, stop);
    }

    @Override
    public void close() {
        for (KvmVcpu v : vcpus) {
            closeQuietly(v);
        }
        closeQuietly(vm);
        memory.forEach(KvmX86Machine::closeQuietly);
        closeQuietly(system);
    }

    static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                System.getLogger(KvmX86Machine.class.getName()).log(System.Logger.Level.WARNING, "closing " + c, e);
            }
        }
    }

    // Snapshots (issue #9): what the machine holds is captured by X86MachineState.

    @Override
    public KvmSnapshot snapshot() {
        List<KvmSnapshot.Ram> ram = new ArrayList<>();
        try {
            for (GuestMemory m : memory) {
                ram.add(new KvmSnapshot.Ram(m.guestBase(), m.size(), m.dupMemfd()));
            }
            X86MachineState state = X86MachineState.capture(system, vm, vcpus, com1);
            return new KvmSnapshot(dev.linuxvm.engine.Arch.X86_64, vcpus.size(), ram, state);
        } catch (RuntimeException e) {
            ram.forEach(r -> GuestMemory.closeFd(r.memfd()));
            throw e;
        }
    }

    /**
     * A machine that continues from {@code snapshot}: the VM set up as {@link #create} does (TSS,
     * identity map, irqchip, PIT, GSI routing, MSR filter), the snapshot's RAM mapped
     * copy-on-write into the same slots, the vCPUs created, then {@link X86MachineState}'s
     * restore order. On failure closes what it opened, {@code system} included.
     */
    static KvmX86Machine restore(KvmSystem system, KvmSnapshot snapshot, ConsoleListener console) {
        X86MachineState state = (X86MachineState) snapshot.state();
        KvmVm vm = null;
        List<GuestMemory> memory = new ArrayList<>();
        KvmX86Machine machine = null;
        try {
            vm = system.createVm();
            setUpVm(system, vm);
            memory.addAll(snapshot.mapPrivate());
            for (int slot = 0; slot < memory.size(); slot++) {
                vm.setUserMemoryRegion(slot, memory.get(slot));
            }
            machine = new KvmX86Machine(system, vm, memory, console);
            for (int id = 0; id < state.vcpus().size(); id++) {
                machine.vcpus.add(vm.createVcpu(id));
            }
            state.restoreVm(vm);
            X86MachineState.Caps caps = X86MachineState.Caps.of(vm);
            for (KvmVcpu v : machine.vcpus) {
                X86MachineState.restore(v, state.vcpus().get(v.id()), caps);
            }
            machine.com1.restore(state.com1());
            return machine;
        } catch (RuntimeException e) {
            if (machine != null) {
                machine.close();
            } else {
                memory.forEach(KvmX86Machine::closeQuietly);
                closeQuietly(vm);
                closeQuietly(system);
            }
            throw e;
        }
    }
}
