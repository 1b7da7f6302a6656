package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.Arm64BootState;
import dev.linuxvm.engine.X86BootState;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Hand-assembled guests that check an executor end to end without a kernel: x86_64 code entered
 * in long mode through a minimal GDT and identity page tables built here, and aarch64 code
 * entered at EL1 with the MMU off. They need no user space, so they run on PVM too. Used by the
 * KVM smoke tests and by the KVM lab's scenarios (which run inside a nested guest, where JUnit
 * test classes are not at hand).
 */
public final class SmokeGuests {
    private SmokeGuests() {
    }

    /** RAM of the x86_64 guests: 2 MiB at 0, one identity-mapped 2 MiB page. */
    public static final long RAM = 2 << 20;
    /** Where the x86_64 guests keep their GDT, page tables and code. */
    public static final long GDT = 0x1000, PML4 = 0x2000, PDPT = 0x3000, PD = 0x4000, CODE = 0x8000;

    /** Writes "OK" to COM1 and S5 to PM1a_CNT. */
    public static final byte[] HELLO_POWER_OFF = {
            0x66, (byte) 0xBA, (byte) 0xF8, 0x03,       // mov    $0x3f8,%dx
            (byte) 0xB0, 0x4F,                          // mov    $'O',%al
            (byte) 0xEE,                                // out    %al,(%dx)
            (byte) 0xB0, 0x4B,                          // mov    $'K',%al
            (byte) 0xEE,                                // out    %al,(%dx)
            0x66, (byte) 0xBA, 0x04, 0x06,              // mov    $0x604,%dx
            0x66, (byte) 0xB8, 0x00, 0x34,              // mov    $0x3400,%ax   (SLP_EN | SLP_TYP 5)
            0x66, (byte) 0xEF,                          // out    %ax,(%dx)
            (byte) 0xF4,                                // hlt
            (byte) 0xEB, (byte) 0xFD,                   // jmp    <hlt>
    };

    /** #UD with no IDT: #UD → #GP → #DF → triple fault. */
    public static final byte[] UD2 = {
            0x0F, 0x0B,                                 // ud2
    };

    /** Spins with interrupts off until the host stops it. */
    public static final byte[] CLI_HLT = {
            (byte) 0xFA,                                // cli
            (byte) 0xF4,                                // hlt
            (byte) 0xEB, (byte) 0xFD,                   // jmp    <hlt>
    };

    /** Where {@link #COUNT_FOREVER} keeps its counter, in RAM so that snapshots must carry it. */
    public static final long COUNTER = 0x7000;

    /**
     * Counts forever: increments the 32-bit word at {@link #COUNTER} and writes 'A' + (count &
     * 15) to COM1, then spins a while (about 15 ms on PVM, whose emulator runs guest CPL0 code).
     * Its output is "ABCD...OPAB...", so a guest restored from a snapshot shows whether it
     * continued from the right instruction, registers and RAM.
     */
    public static final byte[] COUNT_FOREVER = {
            0x66, (byte) 0xBA, (byte) 0xF8, 0x03,       // mov    $0x3f8,%dx
            (byte) 0x8B, 0x04, 0x25, 0x00, 0x70, 0x00, 0x00, // loop: mov 0x7000,%eax
            (byte) 0xFF, (byte) 0xC0,                   // inc    %eax
            (byte) 0x89, 0x04, 0x25, 0x00, 0x70, 0x00, 0x00, // mov    %eax,0x7000
            0x24, 0x0F,                                 // and    $0xf,%al
            0x04, 0x41,                                 // add    $'A',%al
            (byte) 0xEE,                                // out    %al,(%dx)
            (byte) 0xB9, 0x00, 0x40, 0x00, 0x00,        // mov    $0x4000,%ecx
            (byte) 0xE2, (byte) 0xFE,                   // spin:  loop spin
            (byte) 0xEB, (byte) 0xE2,                   // jmp    loop
    };

    /**
     * aarch64: "OK" to the PL011 data register, then PSCI SYSTEM_OFF through HVC. Disassembly
     * from QEMU's {@code -d in_asm}; on QEMU virt (cortex-a57, no firmware) these words print
     * "OK" and QEMU exits through SYSTEM_OFF.
     */
    public static final int[] ARM64_HELLO_POWER_OFF = {
            0xD2A12001,                                 // movz x1, #0x900, lsl #16   (PL011 UARTDR)
            0x528009E2,                                 // movz w2, #0x4f             ('O')
            0xB9000022,                                 // str  w2, [x1]
            0x52800962,                                 // movz w2, #0x4b             ('K')
            0xB9000022,                                 // str  w2, [x1]
            0x52800100,                                 // movz w0, #0x8
            0x72B08000,                                 // movk w0, #0x8400, lsl #16  (PSCI_0_2_FN_SYSTEM_OFF)
            0xD4000002,                                 // hvc  #0
            0x14000000,                                 // b    .
    };
    /** RAM base (QEMU virt) and code address of the aarch64 guest. */
    public static final long ARM64_RAM = 0x4000_0000L, ARM64_CODE = 0x4010_0000L;

    /** An aarch64 guest that runs {@code words} at {@link #ARM64_CODE}, EL1, MMU off. */
    public static GuestImage arm64Guest(int[] words) {
        ByteBuffer code = ByteBuffer.allocate(4 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            code.putInt(w);
        }
        return GuestImage.builder(Arch.AARCH64)
                .ram(ARM64_RAM, 16 << 20)
                .region(MemoryRegion.of("code", ARM64_CODE, code.array()))
                .bootState(new Arm64BootState(ARM64_CODE, 0))
                .build();
    }

    /** An x86_64 guest entered in long mode at {@link #CODE}, running {@code code}. */
    public static GuestImage x86Guest(byte[] code) {
        ByteBuffer gdt = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        gdt.putLong(0x00, 0);                           // null descriptor
        gdt.putLong(0x08, 0);                           // unused
        gdt.putLong(0x10, 0x00AF_9B00_0000_FFFFL);      // code64: G, L, P, DPL 0, S, type 0xB, limit 0xFFFFF
        gdt.putLong(0x18, 0x00CF_9300_0000_FFFFL);      // data: G, D/B, P, DPL 0, S, type 0x3, limit 0xFFFFF
        byte[] pml4 = entry(PDPT | 0x3);                // present | writable
        byte[] pdpt = entry(PD | 0x3);                  // present | writable
        byte[] pd = entry(0x83);                        // present | writable | PS: 2 MiB page at 0
        X86BootState boot = new X86BootState(CODE, 0, CODE, 0x2,
                0x8000_0011L,                           // CR0: PG | ET | PE
                PML4, 0x20L,                            // CR4: PAE
                0x500L,                                 // EFER: LMA | LME
                GDT, 0x1F, 0x10, 0x18);
        return GuestImage.builder(Arch.X86_64)
                .ram(0, RAM)
                .region(MemoryRegion.of("gdt", GDT, gdt.array()))
                .region(MemoryRegion.of("pml4", PML4, pml4))
                .region(MemoryRegion.of("pdpt", PDPT, pdpt))
                .region(MemoryRegion.of("pd", PD, pd))
                .region(MemoryRegion.of("code", CODE, code))
                .bootState(boot)
                .build();
    }

    private static byte[] entry(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    }
}
