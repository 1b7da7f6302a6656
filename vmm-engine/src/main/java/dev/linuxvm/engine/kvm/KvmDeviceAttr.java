package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure.FieldOrder;

/** {@code struct kvm_device_attr} (include/uapi/linux/kvm.h); {@code addr} points at the value. */
@FieldOrder({"flags", "group", "attr", "addr"})
public class KvmDeviceAttr extends KvmStruct {
    public static final int SIZE = 24;
    /** arm64 vGIC attribute group: base addresses. */
    public static final int KVM_DEV_ARM_VGIC_GRP_ADDR = 0;
    /** arm64 vGIC attribute group: control. */
    public static final int KVM_DEV_ARM_VGIC_GRP_CTRL = 4;
    /** GRP_CTRL attribute: initialise the vGIC (after all vCPUs exist). */
    public static final int KVM_DEV_ARM_VGIC_CTRL_INIT = 0;
    /** GRP_ADDR attribute: GICv3 distributor base. */
    public static final int KVM_VGIC_V3_ADDR_TYPE_DIST = 2;
    /** GRP_ADDR attribute: GICv3 redistributor base (one region for all vCPUs). */
    public static final int KVM_VGIC_V3_ADDR_TYPE_REDIST = 3;

    public int flags;
    public int group;
    public long attr;
    public long addr;
}
