package dev.linuxvm.engine.devices;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.linuxvm.engine.devices.Pl011.*;
import static org.assertj.core.api.Assertions.assertThat;

class Pl011Test {
    private final CapturingConsole console = new CapturingConsole();
    private final FakeIrqLine irq = new FakeIrqLine();
    private final Pl011 uart = new Pl011(console, irq);

    private long rd(int reg) {
        return uart.read(reg, 4);
    }

    private void wr(int reg, long v) {
        uart.write(reg, v, 4);
    }

    private void hostSends(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        uart.receive(b, 0, b.length);
    }

    @Test
    void identification_registers_read_pl011_and_primecell_ids() {
        long[] ids = new long[8];
        for (int i = 0; i < 8; i++) {
            ids[i] = rd(UARTPeriphID0 + 4 * i);
        }
        assertThat(ids).containsExactly(0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1);
    }

    @Test
    void data_register_writes_go_to_the_console() {
        for (char c : "hello".toCharArray()) {
            wr(UARTDR, c);
        }
        assertThat(console.text()).isEqualTo("hello");
    }

    @Test
    void flags_show_empty_transmitter_and_receive_state() {
        assertThat(rd(UARTFR)).isEqualTo(UARTFR_TXFE | UARTFR_RXFE);
        hostSends("a");
        assertThat(rd(UARTFR) & UARTFR_RXFE).isZero();
        assertThat(rd(UARTFR) & UARTFR_RXFF).as("FIFO off: one byte fills the holding register")
                .isEqualTo(UARTFR_RXFF);
        assertThat(rd(UARTDR)).isEqualTo('a');
        assertThat(rd(UARTFR)).isEqualTo(UARTFR_TXFE | UARTFR_RXFE);
    }

    @Test
    void receive_interrupt_follows_mask_and_fifo_level() {
        hostSends("x");
        assertThat(irq.transitions).as("masked").isEmpty();
        assertThat(rd(UARTRIS) & RXIM).isEqualTo(RXIM);
        wr(UARTIMSC, RXIM | RTIM);
        assertThat(irq.level).isTrue();
        assertThat(rd(UARTMIS)).isEqualTo(RXIM);
        assertThat(rd(UARTDR)).isEqualTo('x');
        assertThat(irq.level).isFalse();
        assertThat(rd(UARTMIS)).isZero();
    }

    @Test
    void fifo_mode_uses_ifls_trigger_and_timeout_below_it() {
        wr(UARTLCR_H, UARTLCR_H_FEN | 0x60); // 8 bits, FIFO on
        wr(UARTIFLS, 2 << 3);               // RX trigger 1/2 = 8 bytes
        wr(UARTIMSC, RXIM | RTIM);
        hostSends("abc");
        assertThat(rd(UARTMIS)).isEqualTo(RTIM);
        hostSends("defgh");
        assertThat(rd(UARTMIS)).isEqualTo(RXIM);
        hostSends("0123456789");
        StringBuilder got = new StringBuilder();
        while ((rd(UARTFR) & UARTFR_RXFE) == 0) {
            got.append((char) rd(UARTDR));
        }
        assertThat(got).hasToString("abcdefgh0123456789");
        assertThat(irq.level).isFalse();
    }

    @Test
    void transmit_interrupt_set_by_writes_and_cleared_by_icr() {
        wr(UARTIMSC, TXIM);
        assertThat(irq.level).isFalse();
        wr(UARTDR, 'a');
        assertThat(irq.level).isTrue();
        assertThat(rd(UARTMIS)).isEqualTo(TXIM);
        wr(UARTICR, TXIM);
        assertThat(irq.level).isFalse();
    }

    @Test
    void configuration_registers_read_back() {
        wr(UARTIBRD, 0x1A);
        wr(UARTFBRD, 0x03);
        wr(UARTCR, UARTCR_UARTEN | UARTCR_TXE | UARTCR_RXE);
        assertThat(rd(UARTIBRD)).isEqualTo(0x1A);
        assertThat(rd(UARTFBRD)).isEqualTo(0x03);
        assertThat(rd(UARTCR)).isEqualTo(0x301);
    }

    @Test
    void loopback_enable_returns_bytes_to_the_receiver() {
        wr(UARTCR, UARTCR_UARTEN | UARTCR_TXE | UARTCR_RXE | (1 << 7));
        wr(UARTDR, 'L');
        assertThat(console.text()).isEmpty();
        assertThat(rd(UARTDR)).isEqualTo('L');
    }
}
