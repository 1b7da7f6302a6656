package dev.linuxvm.engine.boot.x86;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class X86LayoutTest {
    @Test
    void the_reset_vector_stub_writes_the_reset_register_from_reserved_memory() {
        byte[] stub = X86Layout.resetVectorStub();
        // mov $0xcf9,%dx; mov $0x06,%al; out %al,(%dx); cli; hlt; jmp back to the hlt
        assertThat(stub).containsExactly(0xba, 0xf9, 0x0c, 0xb0, 0x06, 0xee, 0xfa, 0xf4, 0xeb, 0xfd);
        assertThat(X86Layout.RESET_VECTOR).isEqualTo(0xF0000L + 0xFFF0L); // F000:FFF0
        assertThat(X86Layout.RESET_VECTOR).isGreaterThanOrEqualTo(X86Layout.BIOS_RESERVED_START);
        assertThat(X86Layout.RESET_VECTOR + stub.length).isLessThanOrEqualTo(X86Layout.BIOS_RESERVED_END);
    }

    @Test
    void low_memory_structures_are_ordered_and_do_not_overlap() {
        assertThat(X86Layout.GDT_START + Gdt.SIZE).isLessThanOrEqualTo(X86Layout.ZERO_PAGE_START);
        assertThat(X86Layout.ZERO_PAGE_START + BootParams.SIZE).isLessThanOrEqualTo(X86Layout.CMDLINE_START);
        assertThat(X86Layout.CMDLINE_START + X86Layout.CMDLINE_REGION_SIZE)
                .isLessThanOrEqualTo(X86Layout.PAGE_TABLES_START);
        assertThat(X86Layout.CMDLINE_MAX_SIZE).isLessThanOrEqualTo(X86Layout.CMDLINE_REGION_SIZE);
        assertThat(X86Layout.PAGE_TABLES_START + PageTables.SIZE).isLessThanOrEqualTo(X86Layout.ACPI_TABLES_START);
        assertThat(X86Layout.ACPI_TABLES_END).isLessThanOrEqualTo(0xA_0000); // legacy VGA hole
        assertThat(X86Layout.RSDP_START).isEqualTo(0xE_0000);
        assertThat(X86Layout.HIGH_MEMORY_START).isEqualTo(0x10_0000);
        assertThat(X86Layout.MMIO_HOLE_START).isLessThan(X86Layout.IOAPIC_START);
        assertThat(X86Layout.IOAPIC_START).isLessThan(X86Layout.LAPIC_START);
        assertThat(X86Layout.LAPIC_START).isLessThan(X86Layout.HIGH_RAM_START);
        assertThat(X86Layout.IDENTITY_MAPPED_SIZE).isGreaterThanOrEqualTo(X86Layout.INITRD_ADDR_LIMIT);
    }

    @Test
    void devices_sit_where_the_design_puts_them() {
        assertThat(X86Layout.IOAPIC_START).isEqualTo(0xFEC0_0000L);
        assertThat(X86Layout.LAPIC_START).isEqualTo(0xFEE0_0000L);
        assertThat(X86Layout.COM1_PORT).isEqualTo(0x3F8);
        assertThat(X86Layout.COM1_IRQ).isEqualTo(4);
        assertThat(X86Layout.SLEEP_CONTROL_PORT).isEqualTo(0x604);
        assertThat(X86Layout.RESET_PORT).isEqualTo(0xCF9);
    }
}
