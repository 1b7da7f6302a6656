package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arm64BootState;

/**
 * The six instructions QEMU's {@code -device loader,addr=…,cpu-num=0} starts the boot CPU at:
 * they set the registers Documentation/arch/arm64/booting.rst asks for (x0 = DTB, x1..x3 = 0)
 * and branch to the Image. QEMU starts {@code virt} without firmware at EL1 with the MMU off
 * and DAIF masked, which is the rest of that contract.
 *
 * <pre>
 * 0x00  580000c0  ldr  x0, 0x18      // LDR (literal), 64-bit: 0x58000000 | imm19 &lt;&lt; 5 | Rt, imm19 = 0x18 / 4
 * 0x04  aa1f03e1  mov  x1, xzr       // ORR (shifted register), 64-bit: 0xaa000000 | Rm=31 &lt;&lt; 16 | Rn=31 &lt;&lt; 5 | Rd
 * 0x08  aa1f03e2  mov  x2, xzr
 * 0x0c  aa1f03e3  mov  x3, xzr
 * 0x10  58000084  ldr  x4, 0x20      // imm19 = (0x20 - 0x10) / 4, Rt = 4
 * 0x14  d61f0080  br   x4            // BR: 0xd61f0000 | Rn &lt;&lt; 5
 * 0x18  .quad DTB address (x0)
 * 0x20  .quad entry point (PC)
 * </pre>
 * Encodings: Arm ARM (DDI 0487) C6.2 "LDR (literal)", "ORR (shifted register)", "BR".
 */
final class Arm64Trampoline {
    /** Bytes of code plus the two 8-byte literals. */
    static final int SIZE = 0x28;
    /** Offset of the literal {@code ldr x0} reads. */
    static final int DTB_LITERAL_OFFSET = 0x18;
    /** Offset of the literal {@code ldr x4} reads. */
    static final int ENTRY_LITERAL_OFFSET = 0x20;

    private static final int LDR_LITERAL_64 = 0x5800_0000;
    private static final int ORR_SHIFTED_64_XZR_XZR = 0xaa1f_03e0;
    private static final int BR = 0xd61f_0000;

    private Arm64Trampoline() {
    }

    static byte[] encode(Arm64BootState state) {
        LittleEndianCode code = new LittleEndianCode();
        code.u32(ldrLiteral(0, code.position(), DTB_LITERAL_OFFSET));    // ldr x0, =dtb
        code.u32(ORR_SHIFTED_64_XZR_XZR | 1);                            // mov x1, xzr
        code.u32(ORR_SHIFTED_64_XZR_XZR | 2);                            // mov x2, xzr
        code.u32(ORR_SHIFTED_64_XZR_XZR | 3);                            // mov x3, xzr
        code.u32(ldrLiteral(4, code.position(), ENTRY_LITERAL_OFFSET));  // ldr x4, =entry
        code.u32(BR | 4 << 5);                                           // br x4
        code.u64(state.x0());                                            // DTB literal
        code.u64(state.pc());                                            // entry literal
        byte[] bytes = code.toByteArray();
        if (bytes.length != SIZE) {
            throw new IllegalStateException("trampoline is " + bytes.length + " bytes, expected " + SIZE);
        }
        return bytes;
    }

    /** LDR (literal) 64-bit: the literal is at {@code pc + imm19 * 4}. */
    private static int ldrLiteral(int rt, int pc, int literal) {
        int imm19 = (literal - pc) / 4;
        return LDR_LITERAL_64 | (imm19 & 0x7ffff) << 5 | rt;
    }
}
