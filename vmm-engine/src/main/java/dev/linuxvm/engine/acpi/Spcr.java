package dev.linuxvm.engine.acpi;

/**
 * Serial Port Console Redirection table, revision 2 (Microsoft SPCR specification; 80 bytes):
 * Interface Type (DBG2 port subtypes), Base Address (GAS), Interrupt Type, IRQ, Global System
 * Interrupt, Configured Baud Rate, Parity, Stop Bits, Flow Control, Terminal Type, Language,
 * PCI fields (none: device/vendor 0xFFFF), and a reserved DWord. Linux's arm64 boot uses it
 * for {@code earlycon} and the preferred console.
 */
public record Spcr(int interfaceType, Gas baseAddress, int interruptType, int irq, long globalSystemInterrupt,
        int baudRate) implements AcpiTable {
    public static final int REVISION = 2;
    public static final int SIZE = 80;
    /** Interface Type: full 16550 (DBG2 subtype 0x0000). */
    public static final int TYPE_16550 = 0x00;
    /** Interface Type: ARM PL011 UART (DBG2 subtype 0x0003). */
    public static final int TYPE_ARM_PL011 = 0x03;
    /** Interrupt Type bit 0: dual-8259 (PC-AT) IRQ. */
    public static final int INT_8259 = 1;
    /** Interrupt Type bit 1: I/O APIC interrupt (GSI). */
    public static final int INT_IO_APIC = 1 << 1;
    /** Interrupt Type bit 3: ARMH GIC interrupt (GSI). */
    public static final int INT_ARM_GIC = 1 << 3;
    /** Configured Baud Rate: 115200. */
    public static final int BAUD_115200 = 7;
    /** Stop bits: 1. */
    public static final int STOP_BITS_1 = 1;
    /** Terminal type: VT100. */
    public static final int TERMINAL_VT100 = 0;

    /** A PL011 at MMIO {@code base} (32-bit registers), GIC interrupt {@code gsiv}. */
    public static Spcr pl011(long base, long gsiv) {
        return new Spcr(TYPE_ARM_PL011, new Gas(Gas.SYSTEM_MEMORY, 32, 0, Gas.ACCESS_DWORD, base), INT_ARM_GIC, 0,
                gsiv, BAUD_115200);
    }

    /** A 16550 at I/O {@code port} (byte registers) on ISA IRQ {@code irq} (= its GSI through the I/O APIC). */
    public static Spcr uart16550(int port, int irq) {
        return new Spcr(TYPE_16550, Gas.io(port, 1), INT_8259 | INT_IO_APIC, irq, irq, BAUD_115200);
    }

    @Override
    public String signature() {
        return "SPCR";
    }

    @Override
    public byte[] toBytes() {
        TableWriter w = new TableWriter();
        SdtHeader.write(w, signature(), REVISION);
        w.u8(interfaceType)                 // Interface Type
                .zeros(3);                  // Reserved
        baseAddress.write(w);               // Base Address
        w.u8(interruptType)                 // Interrupt Type
                .u8(irq)                    // IRQ
                .u32(globalSystemInterrupt) // Global System Interrupt
                .u8(baudRate)               // Configured Baud Rate
                .u8(0)                      // Parity: none
                .u8(STOP_BITS_1)            // Stop Bits
                .u8(0)                      // Flow Control: none
                .u8(TERMINAL_VT100)         // Terminal Type
                .u8(0)                      // Language: reserved
                .u16(0xFFFF)                // PCI Device ID: not a PCI device
                .u16(0xFFFF)                // PCI Vendor ID: not a PCI device
                .u8(0)                      // PCI Bus Number
                .u8(0)                      // PCI Device Number
                .u8(0)                      // PCI Function Number
                .u32(0)                     // PCI Flags
                .u8(0)                      // PCI Segment
                .u32(0);                    // Reserved
        return SdtHeader.seal(w);
    }
}
