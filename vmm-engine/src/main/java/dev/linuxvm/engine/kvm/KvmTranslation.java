package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure.FieldOrder;

/** {@code struct kvm_translation} (include/uapi/linux/kvm.h): guest virtual to physical, for KVM_TRANSLATE. */
@FieldOrder({"linear_address", "physical_address", "valid", "writeable", "usermode", "pad"})
public class KvmTranslation extends KvmStruct {
    public static final int SIZE = 24;

    public long linear_address;
    public long physical_address;
    public byte valid;
    public byte writeable;
    public byte usermode;
    public byte[] pad = new byte[5];
}
