package dev.linuxvm.engine.acpi;

/**
 * IA-PC High Precision Event Timer Table (Intel IA-PC HPET specification 1.0a, section 3.2.4;
 * 56 bytes): Event Timer Block ID (the HPET's General Capabilities ID register bits 31-0),
 * Base Address (GAS, system memory), HPET Number, Main Counter Minimum Clock Tick in Periodic
 * Mode, Page Protection and OEM attributes. Optional: only for executors whose machine has an
 * HPET at that address (QEMU pc/q35; microvm with hpet=on). Linux then calibrates the TSC
 * against it instead of the PIT, which fails under TCG.
 */
public record Hpet(long eventTimerBlockId, long baseAddress, int minimumClockTick) implements AcpiTable {
    public static final int REVISION = 1;
    public static final int SIZE = 56;
    /** The HPET's conventional MMIO base. */
    public static final long DEFAULT_BASE = 0xFED0_0000L;
    /**
     * QEMU's HPET General Capabilities ID: vendor 0x8086 (bits 31-16), LEG_RT_CAP (bit 15),
     * COUNT_SIZE_CAP 64-bit (bit 13), NUM_TIM_CAP 2 = three timers (bits 12-8), REV_ID 1.
     */
    public static final long QEMU_BLOCK_ID = 0x8086_A201L;

    /** QEMU's HPET at 0xFED00000. */
    public static Hpet qemu() {
        return new Hpet(QEMU_BLOCK_ID, DEFAULT_BASE, 0);
    }

    @Override
    public String signature() {
        return "HPET";
    }

    @Override
    public byte[] toBytes() {
        TableWriter w = new TableWriter();
        SdtHeader.write(w, signature(), REVISION);
        w.u32(eventTimerBlockId);                                  // Event Timer Block ID
        new Gas(Gas.SYSTEM_MEMORY, 64, 0, 0, baseAddress).write(w); // Base Address
        w.u8(0)                                                    // HPET Number
                .u16(minimumClockTick)                             // Main Counter Minimum Clock Tick
                .u8(0);                                            // Page Protection: none
        return SdtHeader.seal(w);
    }
}
