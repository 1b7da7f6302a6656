package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure.FieldOrder;

/** {@code struct kvm_one_reg} (include/uapi/linux/kvm.h): register id and user address of its value. */
@FieldOrder({"id", "addr"})
public class KvmOneReg extends KvmStruct {
    public static final int SIZE = 16;

    public long id;
    public long addr;
}
