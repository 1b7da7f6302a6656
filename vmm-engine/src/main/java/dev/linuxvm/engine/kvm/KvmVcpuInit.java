package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure.FieldOrder;

/** {@code struct kvm_vcpu_init} (arch/arm64/include/uapi/asm/kvm.h): target CPU and feature bits. */
@FieldOrder({"target", "features"})
public class KvmVcpuInit extends KvmStruct {
    public static final int SIZE = 32;
    /** Feature bit: the vCPU starts powered off (secondaries wait for PSCI CPU_ON). */
    public static final int KVM_ARM_VCPU_POWER_OFF = 0;
    /** Feature bit: PSCI 0.2 (SYSTEM_OFF / SYSTEM_RESET become KVM_EXIT_SYSTEM_EVENT). */
    public static final int KVM_ARM_VCPU_PSCI_0_2 = 2;

    public int target;
    public int[] features = new int[7];
}
