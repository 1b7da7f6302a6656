package dev.linuxvm.engine.acpi;

import dev.linuxvm.engine.boot.arm64.Arm64Layout;

/**
 * Generic Timer Description Table (ACPI 6.5 section 5.2.25, Table 5.121) revision 2, 96 bytes:
 * no memory-mapped CNTControlBase/CNTReadBase (all-ones), no platform timers; the four
 * architected timer interrupts as GSIVs with flags (Table 5.122: bit 0 edge, bit 1 active-low,
 * bit 2 always-on). Revision 3 adds the virtual EL2 timer (104 bytes); revision 2 is used
 * because Linux 6.1 reads only these fields and older iasl releases do not know revision 3.
 */
public record Gtdt(int secureEl1Gsiv, int secureEl1Flags, int nonSecureEl1Gsiv, int nonSecureEl1Flags,
        int virtualEl1Gsiv, int virtualEl1Flags, int el2Gsiv, int el2Flags) implements AcpiTable {
    public static final int REVISION = 2;
    /** Size of a revision 2 GTDT without platform timers. */
    public static final int SIZE = 96;
    /** Timer flags: level-triggered, active-high (what QEMU virt declares for its PPIs). */
    public static final int LEVEL_ACTIVE_HIGH = 0;
    /** Timer flags bit 0: edge-triggered. */
    public static final int EDGE = 1;
    /** Timer flags bit 1: active-low. */
    public static final int ACTIVE_LOW = 1 << 1;
    /** Timer flags bit 2: always-on capability. */
    public static final int ALWAYS_ON = 1 << 2;
    /** "Not provided" for CntControlBase/CntReadBase. */
    public static final long NO_ADDRESS = -1L;

    /**
     * The architected timer PPIs of QEMU virt as {@link Arm64Layout} gives them (secure EL1,
     * non-secure EL1, virtual EL1, EL2), all level-triggered, active-high.
     */
    public static Gtdt qemuVirt() {
        return new Gtdt(Arm64Layout.TIMER_PHYS_S_INTID, LEVEL_ACTIVE_HIGH, Arm64Layout.TIMER_PHYS_NS_INTID, LEVEL_ACTIVE_HIGH,
                Arm64Layout.TIMER_VIRT_INTID, LEVEL_ACTIVE_HIGH, Arm64Layout.TIMER_HYP_INTID, LEVEL_ACTIVE_HIGH);
    }

    @Override
    public String signature() {
        return "GTDT";
    }

    @Override
    public byte[] toBytes() {
        TableWriter w = new TableWriter();
        SdtHeader.write(w, signature(), REVISION);
        w.u64(NO_ADDRESS)             // CntControlBase Physical Address
                .u32(0)               // Reserved
                .u32(secureEl1Gsiv)   // Secure EL1 Timer GSIV
                .u32(secureEl1Flags)  // Secure EL1 Timer Flags
                .u32(nonSecureEl1Gsiv) // Non-Secure EL1 Timer GSIV
                .u32(nonSecureEl1Flags) // Non-Secure EL1 Timer Flags
                .u32(virtualEl1Gsiv)  // Virtual EL1 Timer GSIV
                .u32(virtualEl1Flags) // Virtual EL1 Timer Flags
                .u32(el2Gsiv)         // EL2 Timer GSIV
                .u32(el2Flags)        // EL2 Timer Flags
                .u64(NO_ADDRESS)      // CntReadBase Physical Address
                .u32(0)               // Platform Timer Count
                .u32(0);              // Platform Timer Offset
        return SdtHeader.seal(w);
    }
}
