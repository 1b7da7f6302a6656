package dev.linuxvm.engine.kvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * {@code struct kvm_irq_routing} (include/uapi/linux/kvm.h): {@code __u32 nr; __u32 flags;}
 * followed by {@code nr} {@code struct kvm_irq_routing_entry { __u32 gsi; __u32 type; __u32
 * flags; __u32 pad; union { struct kvm_irq_routing_irqchip { __u32 irqchip; __u32 pin; }
 * irqchip; ... __u32 pad[8]; } u; }}. Only irqchip routes are encoded.
 */
public final class KvmIrqRouting {
    public static final int HEADER_SIZE = 8;
    /** sizeof(struct kvm_irq_routing_entry): 16 bytes of header, a 32-byte union. */
    public static final int ENTRY_SIZE = 48;
    static final int OFF_nr = 0, OFF_flags = 4;
    static final int ENTRY_OFF_gsi = 0, ENTRY_OFF_type = 4, ENTRY_OFF_flags = 8,
            ENTRY_OFF_u_irqchip_irqchip = 16, ENTRY_OFF_u_irqchip_pin = 20;
    /** kvm_irq_routing_entry.type: an input of one of the in-kernel interrupt controllers. */
    public static final int KVM_IRQ_ROUTING_IRQCHIP = 1;
    /** kvm_irq_routing_irqchip.irqchip values (arch/x86/include/uapi/asm/kvm.h). */
    public static final int KVM_IRQCHIP_PIC_MASTER = 0, KVM_IRQCHIP_PIC_SLAVE = 1, KVM_IRQCHIP_IOAPIC = 2;

    /** One route: KVM input {@code gsi} drives pin {@code pin} of controller {@code irqchip}. */
    public record Route(int gsi, int irqchip, int pin) {
        @Override
        public String toString() {
            String chip = switch (irqchip) {
                case KVM_IRQCHIP_PIC_MASTER -> "PIC master";
                case KVM_IRQCHIP_PIC_SLAVE -> "PIC slave";
                case KVM_IRQCHIP_IOAPIC -> "IOAPIC";
                default -> "irqchip " + irqchip;
            };
            return "GSI " + gsi + " -> " + chip + " pin " + pin;
        }
    }

    private KvmIrqRouting() {
    }

    static ByteBuffer encode(List<Route> routes) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + routes.size() * ENTRY_SIZE).order(ByteOrder.nativeOrder());
        b.putInt(OFF_nr, routes.size());
        b.putInt(OFF_flags, 0);
        int at = HEADER_SIZE;
        for (Route r : routes) {
            b.putInt(at + ENTRY_OFF_gsi, r.gsi());
            b.putInt(at + ENTRY_OFF_type, KVM_IRQ_ROUTING_IRQCHIP);
            b.putInt(at + ENTRY_OFF_flags, 0);
            b.putInt(at + ENTRY_OFF_u_irqchip_irqchip, r.irqchip());
            b.putInt(at + ENTRY_OFF_u_irqchip_pin, r.pin());
            at += ENTRY_SIZE;
        }
        return b;
    }
}
