package dev.linuxvm.lab;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.kvm.KvmSystem;
import dev.linuxvm.engine.kvm.KvmVcpu;
import dev.linuxvm.engine.kvm.KvmVm;

/**
 * One idle VM (x86_64: with an in-kernel irqchip and one vCPU, never run) that level 1 keeps
 * open for the whole run of the scenarios, so that creating and closing the scenarios' guests
 * never flips one of level 1's KVM static keys.
 *
 * <p>Why: KVM counts its users in static keys. The first VM of a process-wide zero count turns
 * on {@code preempt_notifier_key} (its hook sits inside the scheduler's {@code __schedule}), the
 * first vCPU with an in-kernel LAPIC {@code apic_sw_disabled}, and the last close turns them off
 * again. On x86_64 each flip rewrites live kernel text with {@code text_poke_bp}: an int3 over
 * the site, IPIs, then the new bytes. Under QEMU's multi-threaded TCG that cross-modification of
 * code another vCPU is running is not reliable: level 1 was caught (QEMU monitor, symbols from
 * level 1's kallsyms) with one CPU re-taking int3 exceptions at {@code __schedule+0x2ab} while
 * the other spun in {@code native_queued_spin_lock_slowpath} with interrupts off, for minutes:
 * the "stall" of the x86_64 create/run/close cycles, and the soft lockups reported in KVM_RUN
 * and in {@code kvm-pit}. Every cycle of the leak check is two flips; 100 to 400 cycles were
 * enough to hit it. With this holder 500 cycles ran in 61 s, flat.
 *
 * <p>This is a workaround for the nesting, not for our backend: on a real host, text patching
 * is sound, and a user's process holds no such VM. arm64 patches text with stop_machine, but
 * holding the VM there too costs nothing and keeps both arches alike.
 */
final class StaticKeyHolder implements AutoCloseable {

    private final KvmSystem kvm;
    private final KvmVm vm;
    private final KvmVcpu vcpu;

    private StaticKeyHolder(KvmSystem kvm, KvmVm vm, KvmVcpu vcpu) {
        this.kvm = kvm;
        this.vm = vm;
        this.vcpu = vcpu;
    }

    static StaticKeyHolder open(Arch arch) {
        KvmSystem kvm = KvmSystem.open(KvmSystem.DEV_KVM);
        KvmVm vm = null;
        try {
            vm = kvm.createVm();
            KvmVcpu vcpu = null;
            if (arch == Arch.X86_64) {
                vm.createIrqchip();
                vcpu = vm.createVcpu(0);
            }
            return new StaticKeyHolder(kvm, vm, vcpu);
        } catch (RuntimeException e) {
            if (vm != null) {
                vm.close();
            }
            kvm.close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (vcpu != null) {
            vcpu.close();
        }
        vm.close();
        kvm.close();
    }
}
