package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure.FieldOrder;

/** {@code struct kvm_userspace_memory_region} (include/uapi/linux/kvm.h): one memory slot. */
@FieldOrder({"slot", "flags", "guest_phys_addr", "memory_size", "userspace_addr"})
public class KvmUserspaceMemoryRegion extends KvmStruct {
    public static final int SIZE = 32;

    public int slot;
    public int flags;
    public long guest_phys_addr;
    public long memory_size;
    public long userspace_addr;
}
