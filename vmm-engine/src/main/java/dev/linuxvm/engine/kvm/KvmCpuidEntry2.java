package dev.linuxvm.engine.kvm;

import java.nio.ByteBuffer;

/**
 * {@code struct kvm_cpuid_entry2} (arch/x86/include/uapi/asm/kvm.h): one CPUID leaf/sub-leaf.
 * Kept as a plain value because it lives in the variable-length {@code struct kvm_cpuid2}
 * ({@link KvmCpuid2}), which JNA's Structure cannot express.
 */
public final class KvmCpuidEntry2 {
    public static final int SIZE = 40;
    /** Field offsets within the entry. */
    static final int OFF_function = 0, OFF_index = 4, OFF_flags = 8, OFF_eax = 12, OFF_ebx = 16,
            OFF_ecx = 20, OFF_edx = 24, OFF_padding = 28;
    /** flags: the sub-leaf in {@code index} is significant. */
    public static final int KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1;

    public int function;
    public int index;
    public int flags;
    public int eax, ebx, ecx, edx;

    static KvmCpuidEntry2 readFrom(ByteBuffer b, int at) {
        KvmCpuidEntry2 e = new KvmCpuidEntry2();
        e.function = b.getInt(at + OFF_function);
        e.index = b.getInt(at + OFF_index);
        e.flags = b.getInt(at + OFF_flags);
        e.eax = b.getInt(at + OFF_eax);
        e.ebx = b.getInt(at + OFF_ebx);
        e.ecx = b.getInt(at + OFF_ecx);
        e.edx = b.getInt(at + OFF_edx);
        return e;
    }

    void writeTo(ByteBuffer b, int at) {
        b.putInt(at + OFF_function, function);
        b.putInt(at + OFF_index, index);
        b.putInt(at + OFF_flags, flags);
        b.putInt(at + OFF_eax, eax);
        b.putInt(at + OFF_ebx, ebx);
        b.putInt(at + OFF_ecx, ecx);
        b.putInt(at + OFF_edx, edx);
        for (int i = OFF_padding; i < SIZE; i += 4) {
            b.putInt(at + i, 0);
        }
    }

    KvmCpuidEntry2 copy() {
        KvmCpuidEntry2 e = new KvmCpuidEntry2();
        e.function = function;
        e.index = index;
        e.flags = flags;
        e.eax = eax;
        e.ebx = ebx;
        e.ecx = ecx;
        e.edx = edx;
        return e;
    }

    @Override
    public String toString() {
        return String.format("CPUID 0x%x.%d: eax=%08x ebx=%08x ecx=%08x edx=%08x", function, index, eax, ebx, ecx, edx);
    }
}
