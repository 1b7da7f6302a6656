/**
 * The KVM backend: the only package that imports JNA.
 *
 * <ul>
 *   <li>Bindings keep the kernel's names: {@link dev.linuxvm.engine.kvm.Ioctls} (every request
 *       number, built with {@code _IO/_IOR/_IOW/_IOWR}), one class per structure with a pinned
 *       {@code SIZE}, {@link dev.linuxvm.engine.kvm.KvmRun} offsets and the sealed
 *       {@link dev.linuxvm.engine.kvm.VcpuExit}.</li>
 *   <li>One AutoCloseable per file descriptor: {@link dev.linuxvm.engine.kvm.KvmSystem}
 *       ({@code /dev/kvm}), {@link dev.linuxvm.engine.kvm.KvmVm},
 *       {@link dev.linuxvm.engine.kvm.KvmVcpu} (with its kvm_run mapping),
 *       {@link dev.linuxvm.engine.kvm.KvmDevice}; guest RAM is
 *       {@link dev.linuxvm.engine.kvm.GuestMemory}.</li>
 *   <li>Machines: x86_64 (in-kernel irqchip + PIT, masked CPUID, 64-bit entry state, port-I/O
 *       devices) and aarch64 (vGICv3, PSCI 0.2, PL011 over MMIO; needs an arm64 host).</li>
 *   <li>One thread per vCPU; stopping uses {@code kvm_run.immediate_exit} plus a real-time
 *       signal to the vCPU thread ({@code VcpuKicker}); resources are released only after every
 *       vCPU thread has left KVM_RUN.</li>
 *   <li>PVM hosts ({@code /sys/module/kvm_pvm}) are usable for hand-made guests and early boot,
 *       never chosen for full boots ({@link dev.linuxvm.engine.kvm.KvmBackend#availability}).</li>
 * </ul>
 */
package dev.linuxvm.engine.kvm;
