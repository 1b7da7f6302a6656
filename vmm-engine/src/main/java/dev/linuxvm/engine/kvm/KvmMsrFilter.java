package dev.linuxvm.engine.kvm;

import com.sun.jna.Memory;

import java.nio.ByteOrder;

/**
 * {@code struct kvm_msr_filter} for KVM_X86_SET_MSR_FILTER (arch/x86/include/uapi/asm/kvm.h,
 * Documentation/virt/kvm/api.rst 4.126): a default action and up to 16 ranges, each a bitmap in
 * which a 0 bit denies the range's operations. A denied access exits to userspace as
 * KVM_EXIT_X86_RDMSR / WRMSR once KVM_CAP_X86_USER_SPACE_MSR is enabled with
 * {@link #KVM_MSR_EXIT_REASON_FILTER}. Layout (pinned by StructLayoutTest): flags u32 at 0,
 * ranges at 8; a range is flags u32, nmsrs u32, base u32, 4 bytes of padding, bitmap pointer.
 */
final class KvmMsrFilter {
    static final int SIZE = 392;
    static final int RANGES_OFFSET = 8;
    static final int RANGE_SIZE = 24;
    static final int RANGE_BITMAP_OFFSET = 16;
    /** sizeof(struct kvm_enable_cap): cap, flags, args[4], pad[64]. */
    static final int ENABLE_CAP_SIZE = 104;

    static final int KVM_MSR_FILTER_DEFAULT_ALLOW = 0;
    static final int KVM_MSR_FILTER_READ = 1, KVM_MSR_FILTER_WRITE = 2;
    /** KVM_CAP_X86_USER_SPACE_MSR argument: exit to userspace for accesses the filter denies. */
    static final long KVM_MSR_EXIT_REASON_FILTER = 1 << 2;

    private KvmMsrFilter() {
    }

    /**
     * A filter that allows every MSR except {@code count} consecutive ones from {@code base},
     * denied for reads and writes. The returned memory holds the struct and, after it, the
     * bitmap it points to: keep it reachable until the ioctl returned.
     */
    static Memory denying(int base, int count) {
        int bitmapBytes = (count + 7) / 8;
        Memory m = new Memory(SIZE + bitmapBytes);
        m.clear();
        m.setInt(0, KVM_MSR_FILTER_DEFAULT_ALLOW);
        long range = RANGES_OFFSET;
        m.setInt(range, KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE);
        m.setInt(range + 4, count);
        m.setInt(range + 8, base);
        m.setPointer(range + RANGE_BITMAP_OFFSET, m.share(SIZE)); // all-zero bitmap: deny each
        assert ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        return m;
    }

    /** struct kvm_enable_cap with {@code cap} and args[0] = {@code arg0}. */
    static Memory enableCap(int cap, long arg0) {
        Memory m = new Memory(ENABLE_CAP_SIZE);
        m.clear();
        m.setInt(0, cap);
        m.setLong(8, arg0);
        return m;
    }
}
