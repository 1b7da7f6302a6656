package dev.linuxvm.engine.devices;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.linuxvm.engine.devices.Uart16550.*;
import static org.assertj.core.api.Assertions.assertThat;

class Uart16550Test {
    private final CapturingConsole console = new CapturingConsole();
    private final FakeIrqLine irq = new FakeIrqLine();
    private final Uart16550 uart = new Uart16550(console, irq);

    private void out(int reg, int value) {
        uart.write(reg, value, 1);
    }

    private int in(int reg) {
        return uart.read(reg, 1) & 0xFF;
    }

    private void hostSends(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        uart.receive(b, 0, b.length);
    }

    @Test
    void thr_writes_reach_the_console_in_order() {
        for (char c : "OK\n".toCharArray()) {
            out(THR, c);
        }
        assertThat(console.text()).isEqualTo("OK\n");
    }

    @Test
    void lsr_reports_transmitter_empty_and_data_ready() {
        assertThat(in(LSR)).isEqualTo(LSR_THRE | LSR_TEMT);
        hostSends("x");
        assertThat(in(LSR)).isEqualTo(LSR_THRE | LSR_TEMT | LSR_DATA_READY);
        assertThat(in(RBR)).isEqualTo('x');
        assertThat(in(LSR) & LSR_DATA_READY).isZero();
    }

    @Test
    void dlab_switches_offsets_0_and_1_to_the_divisor_latch() {
        out(LCR, LCR_DLAB | 0x03);
        out(DLL, 0x01);
        out(DLM, 0x00);
        assertThat(in(DLL)).isEqualTo(0x01);
        assertThat(in(DLM)).isEqualTo(0x00);
        assertThat(console.text()).as("a DLL write is not a transmitted byte").isEmpty();
        out(LCR, 0x03);
        out(IER, IER_ERBFI);
        assertThat(in(IER)).isEqualTo(IER_ERBFI);
        out(LCR, LCR_DLAB | 0x03);
        assertThat(in(DLL)).as("the divisor survives DLAB toggling").isEqualTo(0x01);
        assertThat(in(LCR)).isEqualTo(LCR_DLAB | 0x03);
    }

    @Test
    void scratch_register_holds_its_value() {
        out(SCR, 0xA5);
        assertThat(in(SCR)).isEqualTo(0xA5);
    }

    @Test
    void no_interrupt_is_pending_after_reset() {
        assertThat(in(IIR)).isEqualTo(IIR_NO_INT);
        assertThat(irq.transitions).isEmpty();
    }

    @Test
    void enabling_etbei_raises_thre_which_reading_iir_clears() {
        out(IER, IER_ETBEI);
        assertThat(irq.level).isTrue();
        assertThat(in(IIR)).isEqualTo(IIR_THRI);
        assertThat(irq.level).isFalse();
        assertThat(in(IIR)).isEqualTo(IIR_NO_INT);
    }

    @Test
    void each_thr_write_raises_thre_again() {
        out(IER, IER_ETBEI);
        in(IIR);
        out(THR, 'a');
        assertThat(irq.transitions).containsExactly(true, false, true);
        assertThat(in(IIR)).isEqualTo(IIR_THRI);
    }

    @Test
    void received_data_raises_rda_until_the_fifo_is_drained() {
        out(IER, IER_ERBFI);
        hostSends("hi");
        assertThat(irq.level).isTrue();
        assertThat(in(IIR)).isEqualTo(IIR_RDI);
        assertThat(in(RBR)).isEqualTo('h');
        assertThat(irq.level).as("second byte still waiting").isTrue();
        assertThat(in(RBR)).isEqualTo('i');
        assertThat(irq.level).isFalse();
        assertThat(in(IIR)).isEqualTo(IIR_NO_INT);
    }

    @Test
    void rda_has_priority_over_thre() {
        out(IER, IER_ERBFI | IER_ETBEI);
        hostSends("z");
        assertThat(in(IIR)).isEqualTo(IIR_RDI);
        in(RBR);
        assertThat(in(IIR)).isEqualTo(IIR_THRI);
    }

    @Test
    void fifo_mode_reports_in_iir_and_uses_the_trigger_level() {
        out(FCR, FCR_FIFO_ENABLE | FCR_RCVR_RESET | FCR_XMIT_RESET | 0x80); // trigger 8 bytes
        out(IER, IER_ERBFI);
        hostSends("abc");
        assertThat(in(IIR)).as("below the trigger level: character timeout")
                .isEqualTo(IIR_FIFO_ENABLED | IIR_CTI);
        hostSends("defgh");
        assertThat(in(IIR)).as("at the trigger level").isEqualTo(IIR_FIFO_ENABLED | IIR_RDI);
    }

    @Test
    void fifo_holds_16_bytes_and_the_rest_waits_in_the_host_queue() {
        out(FCR, FCR_FIFO_ENABLE);
        hostSends("0123456789abcdefXYZ");
        assertThat(uart.pendingInput()).isEqualTo(19);
        StringBuilder got = new StringBuilder();
        while ((in(LSR) & LSR_DATA_READY) != 0) {
            got.append((char) in(RBR));
        }
        assertThat(got).hasToString("0123456789abcdefXYZ");
        assertThat(in(LSR) & LSR_OE).as("no overrun").isZero();
    }

    @Test
    void fcr_receiver_reset_discards_the_fifo_contents() {
        out(FCR, FCR_FIFO_ENABLE);
        hostSends("abc");
        out(FCR, FCR_FIFO_ENABLE | FCR_RCVR_RESET);
        assertThat(in(LSR) & LSR_DATA_READY).isZero();
    }

    @Test
    void without_fifo_a_single_byte_is_held_and_no_fifo_bits_show() {
        hostSends("ab");
        out(IER, IER_ERBFI);
        assertThat(in(IIR)).isEqualTo(IIR_RDI);
        assertThat(in(RBR)).isEqualTo('a');
        assertThat(in(RBR)).isEqualTo('b');
    }

    @Test
    void loopback_returns_transmitted_bytes_and_mirrors_modem_control_in_msr() {
        out(MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS);
        assertThat(in(MSR) & 0xF0).isEqualTo(MSR_DCD | MSR_CTS);
        out(MCR, MCR_LOOP | 0x0A); // the 8250 driver's probe: expects MSR 0x90
        assertThat(in(MSR) & 0xF0).isEqualTo(0x90);
        out(THR, 'L');
        assertThat(console.text()).isEmpty();
        assertThat(in(RBR)).isEqualTo('L');
        out(MCR, MCR_OUT2);
        assertThat(in(MSR) & 0xF0).as("loopback off: carrier, DSR, CTS")
                .isEqualTo(MSR_DCD | MSR_DSR | MSR_CTS);
    }

    @Test
    void modem_status_interrupt_from_delta_bits_cleared_by_reading_msr() {
        out(IER, IER_EDSSI);
        out(MCR, MCR_LOOP); // all modem lines drop: deltas
        assertThat(in(IIR)).isEqualTo(IIR_MSI);
        assertThat(in(MSR) & 0x0F).isEqualTo(MSR_DCTS | MSR_DDSR | MSR_DDCD);
        assertThat(in(IIR)).isEqualTo(IIR_NO_INT);
    }

    @Test
    void bus_routes_com1_ports_to_the_uart() {
        IoPortBus bus = new IoPortBus().register("COM1", 0x3F8, PORT_COUNT, uart);
        bus.write(0x3F8, 'Q', 1);
        bus.write(0x3FF, 0x5A, 1);
        assertThat(console.text()).isEqualTo("Q");
        assertThat(bus.read(0x3FF, 1)).isEqualTo(0x5A);
        assertThat(bus.read(0x3FD, 1)).isEqualTo(LSR_THRE | LSR_TEMT);
    }
}
