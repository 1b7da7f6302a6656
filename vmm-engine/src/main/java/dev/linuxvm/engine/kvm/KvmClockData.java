package dev.linuxvm.engine.kvm;

/**
 * {@code struct kvm_clock_data { __u64 clock; __u32 flags; __u32 pad0; __u64 realtime; __u64 host_tsc;
 * __u32 pad[4]; }} (include/uapi/linux/kvm.h): the VM's kvmclock.
 */
final class KvmClockData {
    static final int SIZE = 48;
    static final int OFF_clock = 0, OFF_flags = 8;

    private KvmClockData() {
    }
}
