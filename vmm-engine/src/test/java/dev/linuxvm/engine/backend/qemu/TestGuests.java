package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.Arm64BootState;
import dev.linuxvm.engine.X86BootState;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Tiny hand-assembled guests (disassembly beside the bytes; checked with GNU as/objdump). */
final class TestGuests {
    static final long MIB = 1L << 20;

    // ---------------------------------------------------------------- aarch64
    static final long ARM_CODE = 0x4020_0000L;
    static final long ARM_X0_DATA = 0x4030_0000L;

    /** Writes the NUL-terminated string at [x0] to the PL011 data register, then PSCI SYSTEM_OFF. */
    static final int[] ARM_PRINT_X0_THEN_OFF = {
        0xd2a12001, // 00: mov  x1, #0x9000000          PL011 UARTDR (virt VIRT_UART)
        0x38401402, // 04: ldrb w2, [x0], #1
        0x34000062, // 08: cbz  w2, 0x14
        0x39000022, // 0c: strb w2, [x1]
        0x17fffffd, // 10: b    0x04
        0xd2800100, // 14: mov  x0, #0x8
        0xf2b08000, // 18: movk x0, #0x8400, lsl #16    PSCI_0_2_FN_SYSTEM_OFF 0x84000008
        0xd4000002, // 1c: hvc  #0
        0x14000000, // 20: b    0x20
    };

    /** PSCI SYSTEM_RESET. */
    static final int[] ARM_RESET = {
        0xd2800120, // 00: mov  x0, #0x9
        0xf2b08000, // 04: movk x0, #0x8400, lsl #16    PSCI_0_2_FN_SYSTEM_RESET 0x84000009
        0xd4000002, // 08: hvc  #0
        0x14000000, // 0c: b    0x0c
    };

    static final int[] ARM_LOOP = {
        0x14000000, // 00: b    0x00
    };

    static GuestImage arm64(int[] code, String x0Text) {
        return GuestImage.builder(Arch.AARCH64)
                .ram(0x4000_0000L, 128 * MIB)
                .region(MemoryRegion.of("code", ARM_CODE, words(code)))
                .region(MemoryRegion.of("x0 text", ARM_X0_DATA, cString(x0Text)))
                .bootState(new Arm64BootState(ARM_CODE, ARM_X0_DATA))
                .build();
    }

    // ---------------------------------------------------------------- x86_64
    static final long X86_GDT = 0x1000;
    static final long X86_RSI_DATA = 0x2000;
    static final long X86_PML4 = 0x4000;
    static final long X86_PDPT = 0x5000;
    static final long X86_PD = 0x6000;
    static final long X86_CODE = 0x10_0000;

    /** Writes the NUL-terminated string at [rsi] to COM1, then S5 to PM1a_CNT. */
    static final byte[] X86_PRINT_RSI_THEN_OFF = bytes(
        0x66, 0xba, 0xf8, 0x03, // 00: mov  $0x3f8, %dx
        0xac,                   // 04: lods %ds:(%rsi), %al
        0x84, 0xc0,             // 05: test %al, %al
        0x74, 0x03,             // 07: je   0x0c
        0xee,                   // 09: out  %al, (%dx)
        0xeb, 0xf8,             // 0a: jmp  0x04
        0x66, 0xba, 0x04, 0x06, // 0c: mov  $0x604, %dx          PM1a_CNT
        0x66, 0xb8, 0x00, 0x34, // 10: mov  $0x3400, %ax         SLP_TYP 5 << 10 | SLP_EN 1 << 13
        0x66, 0xef,             // 14: out  %ax, (%dx)
        0xf4,                   // 16: hlt
        0xeb, 0xfd);            // 17: jmp  0x16

    /** Echoes every byte COM1 receives; 'q' powers off. */
    static final byte[] X86_ECHO_UNTIL_Q = bytes(
        0x66, 0xba, 0xfd, 0x03, // 00: mov  $0x3fd, %dx          LSR
        0xec,                   // 04: in   (%dx), %al
        0xa8, 0x01,             // 05: test $0x1, %al            LSR data ready
        0x74, 0xfb,             // 07: je   0x04
        0x66, 0xba, 0xf8, 0x03, // 09: mov  $0x3f8, %dx          RBR/THR
        0xec,                   // 0d: in   (%dx), %al
        0xee,                   // 0e: out  %al, (%dx)
        0x3c, 0x71,             // 0f: cmp  $'q', %al
        0x75, 0xed,             // 11: jne  0x00
        0x66, 0xba, 0x04, 0x06, // 13: mov  $0x604, %dx
        0x66, 0xb8, 0x00, 0x34, // 17: mov  $0x3400, %ax
        0x66, 0xef,             // 1b: out  %ax, (%dx)
        0xf4,                   // 1d: hlt
        0xeb, 0xfd);            // 1e: jmp  0x1d

    /** Prints the reset ROM's "entered" byte (at its low alias) as a digit, then S5. */
    static final byte[] X86_PRINT_ROM_ENTERED_FLAG = bytes(
        0x0f, 0xb6, 0x04, 0x25, 0xc8, 0xf0, 0x0f, 0x00, // 00: movzbl 0xff0c8, %eax     X86ResetRom.ENTERED_OFFSET
        0x04, 0x30,             // 08: add  $'0', %al
        0x66, 0xba, 0xf8, 0x03, // 0a: mov  $0x3f8, %dx
        0xee,                   // 0e: out  %al, (%dx)
        0x66, 0xba, 0x04, 0x06, // 0f: mov  $0x604, %dx
        0x66, 0xb8, 0x00, 0x34, // 13: mov  $0x3400, %ax
        0x66, 0xef,             // 17: out  %ax, (%dx)
        0xf4,                   // 19: hlt
        0xeb, 0xfd);            // 1a: jmp  0x19

    /** Undefined opcode with no IDT (the ROM leaves IDTR at its reset value): triple fault. */
    static final byte[] X86_TRIPLE_FAULT = bytes(
        0x0f, 0x0b,             // 00: ud2
        0xeb, 0xfe);            // 02: jmp  0x02

    static final byte[] X86_LOOP = bytes(
        0xeb, 0xfe);            // 00: jmp  0x00

    static GuestImage x86(byte[] code, String rsiText) {
        return GuestImage.builder(Arch.X86_64)
                .ram(0, 128 * MIB)
                .region(MemoryRegion.of("gdt", X86_GDT, gdt()))
                .region(MemoryRegion.of("rsi text", X86_RSI_DATA, cString(rsiText)))
                .region(MemoryRegion.of("page tables", X86_PML4, pageTables()))
                .region(MemoryRegion.of("code", X86_CODE, code))
                .bootState(x86State())
                .build();
    }

    static X86BootState x86State() {
        return new X86BootState(
                X86_CODE, X86_RSI_DATA, 0, 0x2,      // RSP 0, as the engine gives the kernel
                0x8000_0011L,   // CR0: PG | ET | PE
                X86_PML4,
                0x20,           // CR4: PAE
                0x500,          // EFER: LMA | LME
                X86_GDT, 4 * 8 - 1, 0x10, 0x18);
    }

    /** null, null, code64 at 0x10, data at 0x18 (Intel SDM 3A 3.4.5). */
    static byte[] gdt() {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0);
        b.putLong(0);
        b.putLong(0x00af_9a00_0000_ffffL); // code: P, DPL 0, S, type execute/read, L, G, limit 0xfffff
        b.putLong(0x00cf_9200_0000_ffffL); // data: P, DPL 0, S, type read/write, D/B, G, limit 0xfffff
        return b.array();
    }

    /** PML4 → PDPT → PD with 512 2 MiB pages: identity map of the first 1 GiB. */
    static byte[] pageTables() {
        ByteBuffer b = ByteBuffer.allocate(3 * 4096).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, X86_PDPT | 0x3);                  // PML4[0]: present | writable
        b.putLong(4096, X86_PD | 0x3);                 // PDPT[0]
        for (int i = 0; i < 512; i++) {
            b.putLong(8192 + 8 * i, (i * 2 * MIB) | 0x83); // PD[i]: present | writable | PS
        }
        return b.array();
    }

    static byte[] words(int[] words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        return b.array();
    }

    static byte[] cString(String s) {
        byte[] text = s.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[text.length + 1];
        System.arraycopy(text, 0, out, 0, text.length);
        return out;
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private TestGuests() {
    }
}
