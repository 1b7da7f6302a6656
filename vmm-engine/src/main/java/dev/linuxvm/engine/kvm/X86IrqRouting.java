package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.VmmException.Kind;
import dev.linuxvm.engine.acpi.InterruptSourceOverride;
import dev.linuxvm.engine.kvm.KvmIrqRouting.Route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The KVM_SET_GSI_ROUTING table that makes the in-kernel PIC and IOAPIC wired the way the MADT
 * says. KVM's default table (virt/kvm/irqchip.c, arch/x86/kvm/irq_comm.c default_routing)
 * sends input n to IOAPIC pin n; our MADT overrides ISA IRQ 0 to GSI 2, so without this the
 * kernel's check_timer finds no PIT on pin 2 ("..MP-BIOS bug: 8254 timer not connected to
 * IO-APIC") and falls back to ExtINT. The table is QEMU's kvm_pc_setup_irq_routing, derived
 * from the overrides instead of restating them:
 * <ul>
 *   <li>ISA IRQ 0-15 to the 8259 pair: 0-7 master pin n, 8-15 slave pin n-8, except IRQ 2, the
 *       master's cascade input (8259A datasheet; the slave's INT drives master IR2);</li>
 *   <li>input n to IOAPIC pin = the GSI its override names, else n;</li>
 *   <li>no identity IOAPIC route for a pin that another IRQ is overridden to (input 2 does not
 *       reach pin 2, the PIT owns it).</li>
 * </ul>
 * KVM's PIT raises input 0; our devices raise their ISA IRQ with KVM_IRQ_LINE.
 */
final class X86IrqRouting {
    /** ISA IRQs, wired to the two 8259s. */
    static final int ISA_IRQS = 16;
    /** IRQs per 8259. */
    static final int PIC_PINS = 8;
    /** The master 8259 input the slave cascades into. */
    static final int PIC_CASCADE_IRQ = 2;
    /** KVM's IOAPIC has 24 pins (arch/x86/kvm/ioapic.h, IOAPIC_NUM_PINS), GSI base 0 as in our MADT. */
    static final int IOAPIC_PINS = 24;

    private X86IrqRouting() {
    }

    static List<Route> forOverrides(List<InterruptSourceOverride> overrides) {
        Map<Integer, Integer> pinOf = new HashMap<>();
        for (InterruptSourceOverride o : overrides) {
            if (o.source() < 0 || o.source() >= ISA_IRQS || o.globalSystemInterrupt() < 0
                    || o.globalSystemInterrupt() >= IOAPIC_PINS) {
                throw new KvmException(Kind.INTERNAL, String.format("MADT override ISA IRQ %d -> GSI %d: KVM routes ISA IRQs 0-%d"
                        + " to IOAPIC pins 0-%d only", o.source(), o.globalSystemInterrupt(), ISA_IRQS - 1, IOAPIC_PINS - 1));
            }
            pinOf.put(o.source(), (int) o.globalSystemInterrupt());
        }
        List<Route> routes = new ArrayList<>();
        for (int irq = 0; irq < ISA_IRQS; irq++) {
            if (irq == PIC_CASCADE_IRQ) {
                continue;
            }
            routes.add(irq < PIC_PINS
                    ? new Route(irq, KvmIrqRouting.KVM_IRQCHIP_PIC_MASTER, irq)
                    : new Route(irq, KvmIrqRouting.KVM_IRQCHIP_PIC_SLAVE, irq - PIC_PINS));
        }
        for (int gsi = 0; gsi < IOAPIC_PINS; gsi++) {
            Integer pin = pinOf.get(gsi);
            if (pin == null) {
                boolean takenByAnother = pinOf.containsValue(gsi);
                if (takenByAnother) {
                    continue;
                }
                pin = gsi;
            }
            routes.add(new Route(gsi, KvmIrqRouting.KVM_IRQCHIP_IOAPIC, pin));
        }
        return routes;
    }
}
