package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure.FieldOrder;

/** {@code struct kvm_fpu} (arch/x86/include/uapi/asm/kvm.h): x87 and SSE state. */
@FieldOrder({"fpr", "fcw", "fsw", "ftwx", "pad1", "last_opcode", "last_ip", "last_dp", "xmm", "mxcsr", "pad2"})
public class KvmFpu extends KvmStruct {
    public static final int SIZE = 416;
    /** FNINIT's control word: all exceptions masked, 64-bit precision (SDM Vol. 1, 8.1.5). */
    public static final short FCW_DEFAULT = 0x37F;
    /** MXCSR power-on value: all SIMD exceptions masked (SDM Vol. 1, 10.2.3). */
    public static final int MXCSR_DEFAULT = 0x1F80;

    public byte[] fpr = new byte[8 * 16];
    public short fcw;
    public short fsw;
    public byte ftwx;
    public byte pad1;
    public short last_opcode;
    public long last_ip;
    public long last_dp;
    public byte[] xmm = new byte[16 * 16];
    public int mxcsr;
    public int pad2;
}
