package dev.linuxvm.engine.acpi.aml;

/**
 * ASL {@code IRQNoFlags() {n, ...}}: the IRQ Descriptor without its information byte (ACPI 6.5
 * section 6.4.2.1; small item 0x04, length 2): a 16-bit mask with bit n set for ISA IRQ n, which
 * means edge-triggered, active-high, exclusive.
 */
public record IrqNoFlags(int mask) implements ResourceDescriptor {
    /** Small item name of the IRQ descriptor. */
    public static final int ITEM = 0x04;
    /** Bytes after the header byte (no information byte). */
    public static final int LENGTH = 2;
    /** Total size including the header. */
    public static final int SIZE = 1 + LENGTH;

    public IrqNoFlags {
        if ((mask & ~0xFFFF) != 0) {
            throw new AmlException("IRQNoFlags: mask 0x" + Integer.toHexString(mask) + " names IRQs above 15");
        }
    }

    public static IrqNoFlags of(int... irqs) {
        int mask = 0;
        for (int irq : irqs) {
            if (irq < 0 || irq > 15) {
                throw new AmlException("IRQNoFlags: IRQ " + irq + " is outside the ISA range 0-15; "
                        + "use ExtendedInterrupt for a GSI");
            }
            mask |= 1 << irq;
        }
        return new IrqNoFlags(mask);
    }

    @Override
    public void emit(AmlSink sink) {
        sink.u8(ResourceDescriptor.smallHeader(ITEM, LENGTH));
        sink.u16(mask);
    }
}
