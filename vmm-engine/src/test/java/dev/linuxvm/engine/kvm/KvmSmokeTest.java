package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.VmExit;
import dev.linuxvm.engine.boot.arm64.Arm64BootState;
import dev.linuxvm.engine.boot.x86.X86BootState;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Hand-assembled 64-bit guests entered in long mode through a minimal GDT and identity page
 * tables built here, and an aarch64 guest entered at EL1 with the MMU off. Runs where
 * /dev/kvm works (PVM included: no user space is involved), each guest on its own host
 * architecture.
 */
@EnabledIfKvm
class KvmSmokeTest {
    static final long RAM = 2 << 20;
    static final long GDT = 0x1000, PML4 = 0x2000, PDPT = 0x3000, PD = 0x4000, CODE = 0x8000;

    /** Writes "OK" to COM1 and S5 to PM1a_CNT. */
    static final byte[] HELLO_POWER_OFF = {
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
    static final byte[] UD2 = {
            0x0F, 0x0B,                                 // ud2
    };

    /** Spins with interrupts off until the host stops it. */
    static final byte[] CLI_HLT = {
            (byte) 0xFA,                                // cli
            (byte) 0xF4,                                // hlt
            (byte) 0xEB, (byte) 0xFD,                   // jmp    <hlt>
    };

    /**
     * aarch64: "OK" to the PL011 data register, then PSCI SYSTEM_OFF through HVC. Disassembly
     * from QEMU's {@code -d in_asm}; on QEMU virt (cortex-a57, no firmware) these words print
     * "OK" and QEMU exits through SYSTEM_OFF.
     */
    static final int[] ARM64_HELLO_POWER_OFF = {
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
    static final long ARM64_RAM = 0x4000_0000L, ARM64_CODE = 0x4010_0000L;

    static GuestImage arm64Guest(int[] words) {
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

    static GuestImage guest(byte[] code) {
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

    static final class Console implements ConsoleListener {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void onOutput(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static void assumeX86Host() {
        assumeTrue(Arch.host() == Arch.X86_64, "the hand-assembled guests are x86_64; this host is " + Arch.host());
    }

    @Test
    void writes_ok_to_com1_and_powers_off_through_pm1() throws Exception {
        assumeX86Host();
        Console console = new Console();
        try (RunningVm vm = new KvmBackend().start(guest(HELLO_POWER_OFF), console)) {
            Optional<VmExit> exit = vm.awaitExit(Duration.ofSeconds(20));
            assertThat(exit).as("exit within 20 s; console so far: %s", console.text())
                    .contains(new VmExit.PoweredOff());
        }
        assertThat(console.text()).isEqualTo("OK");
    }

    @Test
    void triple_fault_is_a_crash_with_rip_and_instruction_bytes() throws Exception {
        assumeX86Host();
        try (RunningVm vm = new KvmBackend().start(guest(UD2), ConsoleListener.DISCARD)) {
            VmExit exit = vm.awaitExit(Duration.ofSeconds(20)).orElseThrow();
            assertThat(exit).isInstanceOf(VmExit.Crashed.class);
            assertThat(exit.describe()).contains("triple fault").contains("RIP 0x8000").contains("0f 0b");
        }
    }

    @Test
    void close_stops_a_halted_guest() throws Exception {
        assumeX86Host();
        RunningVm vm = new KvmBackend().start(guest(CLI_HLT), ConsoleListener.DISCARD);
        assertThat(vm.awaitExit(Duration.ofMillis(300))).as("still halted").isEmpty();
        long t0 = System.nanoTime();
        vm.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(KvmRunningVm.JOIN_TIMEOUT);
        assertThat(vm.exit()).get().isInstanceOf(VmExit.Stopped.class);
        vm.close(); // idempotent
    }

    @Test
    void arm64_writes_ok_to_the_pl011_and_powers_off_through_psci() throws Exception {
        assumeTrue(Arch.host() == Arch.AARCH64, "the PL011/PSCI guest is aarch64; this host is " + Arch.host());
        Console console = new Console();
        try (RunningVm vm = new KvmBackend().start(arm64Guest(ARM64_HELLO_POWER_OFF), console)) {
            Optional<VmExit> exit = vm.awaitExit(Duration.ofSeconds(20));
            assertThat(exit).as("exit within 20 s; console so far: %s", console.text())
                    .contains(new VmExit.PoweredOff());
        }
        assertThat(console.text()).isEqualTo("OK");
    }
}
