package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.VmmException.Kind;
import dev.linuxvm.engine.boot.arm64.Arm64Layout;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.VmExit;
import dev.linuxvm.engine.Arm64BootState;
import dev.linuxvm.engine.devices.MmioBus;
import dev.linuxvm.engine.devices.Pl011;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.linuxvm.engine.kvm.KvmX86Machine.closeQuietly;

/**
 * An aarch64 KVM machine with QEMU virt's memory map (vmm-engine/README.md, "AArch64"), for arm64 hosts.
 * Written against Documentation/virt/kvm/api.rst and devices/arm-vgic-v3.rst; it cannot run on
 * an x86_64 host. Built in this order:
 * <ol>
 *   <li>KVM_CREATE_VM (default 40-bit IPA);</li>
 *   <li>guest RAM at the image's RAM base, regions copied in, KVM_SET_USER_MEMORY_REGION;</li>
 *   <li>the vGICv3 (KVM_CREATE_DEVICE) with distributor and redistributor base addresses,
 *       before the vCPUs (the order kvmtool uses);</li>
 *   <li>each vCPU: KVM_ARM_PREFERRED_TARGET, then KVM_ARM_VCPU_INIT with PSCI 0.2; secondaries
 *       also POWER_OFF so they wait for PSCI CPU_ON;</li>
 *   <li>KVM_DEV_ARM_VGIC_CTRL_INIT once every vCPU exists;</li>
 *   <li>the boot vCPU's PC, x0 and PSTATE through ONE_REG (booting.rst: x1..x3 are zero after
 *       init);</li>
 *   <li>the PL011 on the MMIO bus, its SPI driven through KVM_IRQ_LINE. PSCI SYSTEM_OFF and
 *       SYSTEM_RESET arrive as KVM_EXIT_SYSTEM_EVENT.</li>
 * </ol>
 */
final class KvmArm64Machine implements KvmMachine<KvmVcpu> {
    /** GICv3 distributor base (QEMU virt). */
    static final long GICD_BASE = Arm64Layout.GICD_BASE;
    /** GICv3 redistributor region base (QEMU virt); 0x20000 per vCPU. */
    static final long GICR_BASE = Arm64Layout.GICR_BASE;
    static final long GICR_STRIDE = Arm64Layout.GICR_STRIDE;
    /** PL011 UART base (QEMU virt). */
    static final long PL011_BASE = Arm64Layout.UART_BASE;
    /** PL011 interrupt: SPI 1, INTID 33. */
    static final int PL011_SPI = Arm64Layout.UART_SPI;
    /** The redistributor region ends where the UART's page begins: at most this many vCPUs. */
    static final int MAX_VCPUS = (int) ((PL011_BASE - GICR_BASE) / GICR_STRIDE);

    private final KvmSystem system;
    private final KvmVm vm;
    private final GuestMemory memory;
    private KvmDevice gic;
    private final List<KvmVcpu> vcpus = new ArrayList<>();
    private final ExitDispatch dispatch = new ExitDispatch();
    private final MmioBus mmio = new MmioBus();
    private final Pl011 uart;

    private KvmArm64Machine(KvmSystem system, KvmVm vm, GuestMemory memory, ConsoleListener console) {
        this.system = system;
        this.vm = vm;
        this.memory = memory;
        int irq = Arm64Irq.spi(PL011_SPI);
        this.uart = new Pl011(console, level -> vm.irqLine(irq, level));
        mmio.register("PL011", PL011_BASE, Arm64Layout.UART_SIZE, uart);
    }

    static KvmArm64Machine create(KvmSystem system, GuestImage image, ConsoleListener console) {
        return create(system, image, console, false);
    }

    /** As above; {@code sharedRam}: RAM in a memfd, so that {@link #snapshot} works. */
    static KvmArm64Machine create(KvmSystem system, GuestImage image, ConsoleListener console, boolean sharedRam) {
        Arm64BootState boot = image.bootState().match(x86 -> {
            throw new KvmException(Kind.INTERNAL, "aarch64 KVM machine: the image's boot state is for x86_64");
        }, arm64 -> arm64);
        if (image.cpus() > MAX_VCPUS) {
            throw new KvmException("aarch64 KVM machine: " + image.cpus() + " vCPUs do not fit the redistributor region (at most "
                    + MAX_VCPUS + "): lower the cpu count");
        }
        KvmVm vm = null;
        GuestMemory memory = null;
        KvmArm64Machine machine = null;
        try {
            // Read file-backed regions (the kernel) before the VM exists, as the engine did before they
            // were read lazily: the time from KVM_CREATE_VM to the first KVM_RUN stays short (kvmclock
            // starts at the VM's creation; reading 45 MB in the nested lab took 0.3 s there).
            image.regions().forEach(MemoryRegion::data);
            vm = system.createVm();
            memory = sharedRam
                    ? GuestMemory.allocateShared(image.ramBase(), image.ramSize())
                    : GuestMemory.allocate(image.ramBase(), image.ramSize());
            for (MemoryRegion r : image.regions()) {
                memory.write(r.address(), r.data());
            }
            vm.setUserMemoryRegion(0, memory);
            machine = new KvmArm64Machine(system, vm, memory, console);

            machine.createGicAndVcpus(vm, image.cpus());

            KvmVcpu bsp = machine.vcpus.get(0);
            bsp.setOneReg(Arm64CoreReg.pstate(), Arm64CoreReg.BOOT_PSTATE);
            bsp.setOneReg(Arm64CoreReg.pc(), boot.pc());
            bsp.setOneReg(Arm64CoreReg.x(0), boot.x0());
            return machine;
        } catch (RuntimeException e) {
            if (machine != null) {
                machine.close();
            } else {
                closeQuietly(memory);
                closeQuietly(vm);
                closeQuietly(system);
            }
            throw e;
        }
    }

    /**
     * The vGICv3 at the layout's addresses, then {@code cpus} vCPUs with PSCI 0.2 (secondaries
     * powered off until PSCI CPU_ON), then the vGIC's init once they all exist: the order
     * kvmtool and QEMU use, the same for a fresh and a restored machine.
     */
    private void createGicAndVcpus(KvmVm vm, int cpus) {
        gic = vm.createDevice(KvmCreateDevice.KVM_DEV_TYPE_ARM_VGIC_V3);
        gic.setAttr(KvmDeviceAttr.KVM_DEV_ARM_VGIC_GRP_ADDR, KvmDeviceAttr.KVM_VGIC_V3_ADDR_TYPE_DIST, GICD_BASE);
        gic.setAttr(KvmDeviceAttr.KVM_DEV_ARM_VGIC_GRP_ADDR, KvmDeviceAttr.KVM_VGIC_V3_ADDR_TYPE_REDIST, GICR_BASE);
        for (int id = 0; id < cpus; id++) {
            KvmVcpu vcpu = vm.createVcpu(id);
            vcpus.add(vcpu);
            KvmVcpuInit init = vm.armPreferredTarget();
            init.features[0] |= 1 << KvmVcpuInit.KVM_ARM_VCPU_PSCI_0_2;
            if (id > 0) {
                init.features[0] |= 1 << KvmVcpuInit.KVM_ARM_VCPU_POWER_OFF;
            }
            vcpu.armVcpuInit(init);
        }
        gic.setAttr(KvmDeviceAttr.KVM_DEV_ARM_VGIC_GRP_CTRL, KvmDeviceAttr.KVM_DEV_ARM_VGIC_CTRL_INIT);
    }

    @Override
    public List<KvmVcpu> vcpus() {
        return vcpus;
    }

    @Override
    public Optional<VmExit> handle(KvmVcpu vcpu, VcpuExit exit) {
        if (exit instanceof VcpuExit.Mmio) {
            ExitDispatch.mmio(vcpu, (VcpuExit.Mmio) exit, mmio);
            return dispatch.requested();
        } else if (exit instanceof VcpuExit.SystemEvent) {
            return Optional.of(ExitDispatch.systemEvent((VcpuExit.SystemEvent) exit, "on vCPU " + vcpu.id() + where(vcpu)));
        } else if (exit instanceof VcpuExit.InternalError) {
            return Optional.of(new VmExit.Crashed("KVM internal error, suberror "
                    + ((VcpuExit.InternalError) exit).suberror() + " on vCPU " + vcpu.id() + where(vcpu)));
        } else if (exit instanceof VcpuExit.FailEntry) {
            return Optional.of(new VmExit.Crashed(String.format("KVM_EXIT_FAIL_ENTRY: reason 0x%x on vCPU %d",
                    ((VcpuExit.FailEntry) exit).hardware_entry_failure_reason(), vcpu.id())));
        } else if (exit instanceof VcpuExit.Interrupted) {
            return Optional.empty();
        }
        return Optional.of(new VmExit.Crashed("unexpected KVM exit " + exit + " on vCPU " + vcpu.id() + where(vcpu)));
    }

    private String where(KvmVcpu vcpu) {
        try {
            long pc = vcpu.getOneReg(Arm64CoreReg.pc());
            String text = String.format(" at PC 0x%x", pc);
            if (memory.contains(pc, 16)) {
                text += " (instruction bytes " + ExitDispatch.hex(memory.read(pc, 16)) + ")";
            }
            return text;
        } catch (RuntimeException e) {
            return " (PC unavailable: " + e.getMessage() + ")";
        }
    }

    @Override
    public boolean consoleInput(byte[] data, int offset, int length, java.util.function.BooleanSupplier stop)
            throws InterruptedException {
        return uart.receiveWaiting(data, offset, length, stop);
    }

    @Override
    public void close() {
        for (KvmVcpu v : vcpus) {
            closeQuietly(v);
        }
        closeQuietly(gic);
        closeQuietly(vm);
        closeQuietly(memory);
        closeQuietly(system);
    }

    // Snapshots (issue #9): what the machine holds is captured by Arm64MachineState.

    @Override
    public KvmSnapshot snapshot() {
        int memfd = memory.dupMemfd();
        try {
            Arm64MachineState state = Arm64MachineState.capture(vcpus, gic, uart);
            return new KvmSnapshot(dev.linuxvm.engine.Arch.AARCH64, vcpus.size(),
                    List.of(new KvmSnapshot.Ram(memory.guestBase(), memory.size(), memfd)), state);
        } catch (RuntimeException e) {
            GuestMemory.closeFd(memfd);
            throw e;
        }
    }

    /**
     * A machine that continues from {@code snapshot}: the VM, the snapshot's RAM mapped
     * copy-on-write, the vGIC and the vCPUs set up as {@link #create} does (the same init
     * features: the MP state then decides who runs), then {@link Arm64MachineState}'s restore
     * order. On failure closes what it opened, {@code system} included.
     */
    static KvmArm64Machine restore(KvmSystem system, KvmSnapshot snapshot, ConsoleListener console) {
        Arm64MachineState state = (Arm64MachineState) snapshot.state();
        KvmVm vm = null;
        GuestMemory memory = null;
        KvmArm64Machine machine = null;
        try {
            vm = system.createVm();
            memory = snapshot.mapPrivate().get(0);
            vm.setUserMemoryRegion(0, memory);
            machine = new KvmArm64Machine(system, vm, memory, console);
            machine.createGicAndVcpus(vm, state.vcpus().size());
            for (KvmVcpu v : machine.vcpus) {
                Arm64MachineState.restore(v, state.vcpus().get(v.id()));
            }
            state.restoreGic(machine.gic);
            machine.uart.restore(state.uart());
            return machine;
        } catch (RuntimeException e) {
            if (machine != null) {
                machine.close();
            } else {
                closeQuietly(memory);
                closeQuietly(vm);
                closeQuietly(system);
            }
            throw e;
        }
    }
}
