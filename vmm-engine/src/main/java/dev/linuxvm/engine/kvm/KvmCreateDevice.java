package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure.FieldOrder;

/** {@code struct kvm_create_device} (include/uapi/linux/kvm.h); {@code fd} is filled in by KVM. */
@FieldOrder({"type", "fd", "flags"})
public class KvmCreateDevice extends KvmStruct {
    public static final int SIZE = 12;
    /** enum kvm_device_type: KVM_DEV_TYPE_ARM_VGIC_V3. */
    public static final int KVM_DEV_TYPE_ARM_VGIC_V3 = 7;

    public int type;
    public int fd;
    public int flags;
}
