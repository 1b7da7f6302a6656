package dev.linuxvm.engine.kvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code struct kvm_cpuid2} (arch/x86/include/uapi/asm/kvm.h): {@code __u32 nent; __u32 padding;}
 * followed by {@code nent} {@link KvmCpuidEntry2}. Serialised into a native-order buffer.
 */
public final class KvmCpuid2 {
    /** Size of the header before the entries. */
    public static final int HEADER_SIZE = 8;
    static final int OFF_nent = 0;

    private KvmCpuid2() {
    }

    /** Bytes for a kvm_cpuid2 with room for {@code capacity} entries and nent = capacity. */
    static ByteBuffer empty(int capacity) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + capacity * KvmCpuidEntry2.SIZE).order(ByteOrder.nativeOrder());
        b.putInt(OFF_nent, capacity);
        return b;
    }

    static ByteBuffer encode(List<KvmCpuidEntry2> entries) {
        ByteBuffer b = empty(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            entries.get(i).writeTo(b, HEADER_SIZE + i * KvmCpuidEntry2.SIZE);
        }
        return b;
    }

    static List<KvmCpuidEntry2> decode(ByteBuffer b) {
        int n = b.getInt(OFF_nent);
        List<KvmCpuidEntry2> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(KvmCpuidEntry2.readFrom(b, HEADER_SIZE + i * KvmCpuidEntry2.SIZE));
        }
        return entries;
    }
}
