package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure.FieldOrder;

/** {@code struct kvm_pit_config} (include/uapi/linux/kvm.h), the argument of KVM_CREATE_PIT2. */
@FieldOrder({"flags", "pad"})
public class KvmPitConfig extends KvmStruct {
    public static final int SIZE = 64;
    /** KVM_PIT_SPEAKER_DUMMY: the kernel also answers port 0x61 (speaker / PIT gate). */
    public static final int KVM_PIT_SPEAKER_DUMMY = 1;

    public int flags;
    public int[] pad = new int[15];
}
