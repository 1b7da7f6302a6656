package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.acpi.InterruptSourceOverride;
import dev.linuxvm.engine.acpi.X86AcpiParams;
import dev.linuxvm.engine.kvm.KvmIrqRouting.Route;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static dev.linuxvm.engine.kvm.KvmIrqRouting.KVM_IRQCHIP_IOAPIC;
import static dev.linuxvm.engine.kvm.KvmIrqRouting.KVM_IRQCHIP_PIC_MASTER;
import static dev.linuxvm.engine.kvm.KvmIrqRouting.KVM_IRQCHIP_PIC_SLAVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class X86IrqRoutingTest {
    /** QEMU's kvm_pc_setup_irq_routing(pci_enabled = true), written out. */
    private static List<Route> qemuPcTable() {
        List<Route> t = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            if (i != 2) {
                t.add(new Route(i, KVM_IRQCHIP_PIC_MASTER, i));
            }
        }
        for (int i = 8; i < 16; i++) {
            t.add(new Route(i, KVM_IRQCHIP_PIC_SLAVE, i - 8));
        }
        for (int i = 0; i < 24; i++) {
            if (i == 0) {
                t.add(new Route(0, KVM_IRQCHIP_IOAPIC, 2));
            } else if (i != 2) {
                t.add(new Route(i, KVM_IRQCHIP_IOAPIC, i));
            }
        }
        return t;
    }

    @Test
    void our_madt_overrides_give_qemus_pc_table() {
        assertThat(X86IrqRouting.forOverrides(X86AcpiParams.ISA_OVERRIDES)).containsExactlyElementsOf(qemuPcTable());
    }

    @Test
    void the_pit_reaches_ioapic_pin_2_and_nothing_else_drives_pin_2() {
        List<Route> t = X86IrqRouting.forOverrides(X86AcpiParams.ISA_OVERRIDES);
        assertThat(t).filteredOn(r -> r.gsi() == 0)
                .containsExactly(new Route(0, KVM_IRQCHIP_PIC_MASTER, 0), new Route(0, KVM_IRQCHIP_IOAPIC, 2));
        assertThat(t).filteredOn(r -> r.irqchip() == KVM_IRQCHIP_IOAPIC && r.pin() == 2).hasSize(1);
        assertThat(t).filteredOn(r -> r.gsi() == 2).as("the cascade input is not routed").isEmpty();
        assertThat(t).filteredOn(r -> r.gsi() == 4)
                .as("COM1").containsExactly(new Route(4, KVM_IRQCHIP_PIC_MASTER, 4), new Route(4, KVM_IRQCHIP_IOAPIC, 4));
        assertThat(t).filteredOn(r -> r.gsi() == 9)
                .as("SCI, overridden to itself").containsExactly(new Route(9, KVM_IRQCHIP_PIC_SLAVE, 1), new Route(9, KVM_IRQCHIP_IOAPIC, 9));
    }

    @Test
    void follows_the_overrides_it_is_given() {
        List<Route> t = X86IrqRouting.forOverrides(List.of(new InterruptSourceOverride(5, 20, 0)));
        assertThat(t).filteredOn(r -> r.irqchip() == KVM_IRQCHIP_IOAPIC && (r.gsi() == 5 || r.gsi() == 20 || r.gsi() == 0))
                .containsExactly(new Route(0, KVM_IRQCHIP_IOAPIC, 0), new Route(5, KVM_IRQCHIP_IOAPIC, 20));
        assertThat(X86IrqRouting.forOverrides(List.of())).filteredOn(r -> r.irqchip() == KVM_IRQCHIP_IOAPIC)
                .as("no overrides: KVM's identity table").hasSize(24).allSatisfy(r -> assertThat(r.pin()).isEqualTo(r.gsi()));
    }

    @Test
    void rejects_an_override_beyond_the_ioapic() {
        assertThatThrownBy(() -> X86IrqRouting.forOverrides(List.of(new InterruptSourceOverride(0, 24, 0))))
                .isInstanceOf(KvmException.class).hasMessageContaining("ISA IRQ 0 -> GSI 24");
    }

    @Test
    void encodes_irqchip_entries_at_48_byte_stride() {
        ByteBuffer b = KvmIrqRouting.encode(List.of(new Route(0, KVM_IRQCHIP_PIC_MASTER, 0), new Route(0, KVM_IRQCHIP_IOAPIC, 2)));
        assertThat(b.capacity()).isEqualTo(8 + 2 * 48);
        assertThat(b.getInt(0)).as("nr").isEqualTo(2);
        assertThat(b.getInt(4)).as("flags").isZero();
        int second = 8 + 48;
        assertThat(b.getInt(second)).as("gsi").isZero();
        assertThat(b.getInt(second + 4)).as("type = KVM_IRQ_ROUTING_IRQCHIP").isEqualTo(1);
        assertThat(b.getInt(second + 16)).as("u.irqchip.irqchip").isEqualTo(KVM_IRQCHIP_IOAPIC);
        assertThat(b.getInt(second + 20)).as("u.irqchip.pin").isEqualTo(2);
    }
}
