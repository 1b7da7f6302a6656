package dev.linuxvm.engine.kvm;

/** {@code struct kvm_debugregs} (arch/x86/include/uapi/asm/kvm.h): DR0-3, DR6, DR7; carried opaquely. */
final class KvmDebugregs {
    static final int SIZE = 128;

    private KvmDebugregs() {
    }
}
