package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure.FieldOrder;

/** {@code struct kvm_dtable} (arch/x86/include/uapi/asm/kvm.h): GDTR or IDTR. */
@FieldOrder({"base", "limit", "padding"})
public class KvmDtable extends KvmStruct {
    public static final int SIZE = 16;

    public long base;
    public short limit;
    public short[] padding = new short[3];
}
