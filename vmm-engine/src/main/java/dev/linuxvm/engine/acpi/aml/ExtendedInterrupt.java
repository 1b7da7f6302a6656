package dev.linuxvm.engine.acpi.aml;

import java.util.List;

/**
 * ASL {@code Interrupt(ResourceConsumer|ResourceProducer, Level|Edge, ActiveHigh|ActiveLow,
 * Exclusive|Shared) {gsi, ...}}: the Extended Interrupt Descriptor (ACPI 6.5 section 6.4.3.6;
 * large item 0x09): length (16), Interrupt Vector Flags (bit 0 consumer, bit 1 edge, bit 2
 * active-low, bit 3 shared, bit 4 wake capable), Interrupt table length (8), then one DWord per
 * interrupt number (no resource source).
 */
public record ExtendedInterrupt(boolean consumer, boolean edge, boolean activeLow, boolean shared,
        List<Long> interrupts) implements ResourceDescriptor {
    /** Large item name of the Extended Interrupt Descriptor. */
    public static final int ITEM = 0x09;
    /** Flag bit: the device consumes this interrupt. */
    public static final int FLAG_CONSUMER = 1;
    /** Flag bit: edge-triggered (clear: level). */
    public static final int FLAG_EDGE = 1 << 1;
    /** Flag bit: active-low (clear: active-high). */
    public static final int FLAG_ACTIVE_LOW = 1 << 2;
    /** Flag bit: shared (clear: exclusive). */
    public static final int FLAG_SHARED = 1 << 3;

    public ExtendedInterrupt {
        interrupts = List.copyOf(interrupts);
        if (interrupts.isEmpty() || interrupts.size() > 255) {
            throw new AmlException("Interrupt descriptor: needs 1 to 255 interrupt numbers, got " + interrupts.size());
        }
        for (long i : interrupts) {
            if (i < 0 || i > 0xFFFF_FFFFL) {
                throw new AmlException("Interrupt descriptor: interrupt " + i + " does not fit 32 bits");
            }
        }
    }

    /** {@code Interrupt(ResourceConsumer, Level, ActiveHigh, Exclusive) {gsi}}. */
    public static ExtendedInterrupt levelHigh(long gsi) {
        return new ExtendedInterrupt(true, false, false, false, List.of(gsi));
    }

    public int flags() {
        return (consumer ? FLAG_CONSUMER : 0) | (edge ? FLAG_EDGE : 0) | (activeLow ? FLAG_ACTIVE_LOW : 0)
                | (shared ? FLAG_SHARED : 0);
    }

    /** Total size including the 3-byte large header. */
    public int size() {
        return 3 + 2 + 4 * interrupts.size();
    }

    @Override
    public void emit(AmlSink sink) {
        sink.u8(ResourceDescriptor.largeHeader(ITEM));
        sink.u16(size() - 3);
        sink.u8(flags());
        sink.u8(interrupts.size());
        for (long i : interrupts) {
            sink.u32(i);
        }
    }
}
