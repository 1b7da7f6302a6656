package dev.linuxvm.engine.kvm;

/**
 * {@code struct kvm_pit_state2 { struct kvm_pit_channel_state channels[3]; __u32 flags; __u32 reserved[9]; }}
 * (arch/x86/include/uapi/asm/kvm.h): the in-kernel 8254, carried opaquely.
 */
final class KvmPitState2 {
    static final int SIZE = 112;

    private KvmPitState2() {
    }
}
