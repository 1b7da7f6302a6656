package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure.FieldOrder;

/** {@code struct kvm_regs} (arch/x86/include/uapi/asm/kvm.h): general-purpose registers. */
@FieldOrder({"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"})
public class KvmRegs extends KvmStruct {
    public static final int SIZE = 144;

    public long rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    public long r8, r9, r10, r11, r12, r13, r14, r15;
    public long rip, rflags;
}
