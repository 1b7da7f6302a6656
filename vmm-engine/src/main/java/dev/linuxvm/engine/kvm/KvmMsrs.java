package dev.linuxvm.engine.kvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * {@code struct kvm_msrs} (arch/x86/include/uapi/asm/kvm.h): {@code __u32 nmsrs; __u32 pad;}
 * followed by {@code struct kvm_msr_entry { __u32 index; __u32 reserved; __u64 data; }}.
 */
public final class KvmMsrs {
    public static final int HEADER_SIZE = 8;
    /** sizeof(struct kvm_msr_entry). */
    public static final int ENTRY_SIZE = 16;
    static final int OFF_nmsrs = 0;
    static final int ENTRY_OFF_index = 0, ENTRY_OFF_data = 8;

    private KvmMsrs() {
    }

    /** MSR index to value, in the map's iteration order. */
    static ByteBuffer encode(Map<Integer, Long> msrs) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + msrs.size() * ENTRY_SIZE).order(ByteOrder.nativeOrder());
        b.putInt(OFF_nmsrs, msrs.size());
        int at = HEADER_SIZE;
        for (Map.Entry<Integer, Long> e : msrs.entrySet()) {
            b.putInt(at + ENTRY_OFF_index, e.getKey());
            b.putLong(at + ENTRY_OFF_data, e.getValue());
            at += ENTRY_SIZE;
        }
        return b;
    }
}
