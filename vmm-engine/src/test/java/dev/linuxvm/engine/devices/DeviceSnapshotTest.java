package dev.linuxvm.engine.devices;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The UARTs' snapshot/restore: a device restored into a new instance (new console, new IRQ
 * line, as a clone gets) behaves exactly as the original would from that instant.
 */
class DeviceSnapshotTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void uart16550_restores_registers_fifo_and_host_queue() {
        Uart16550 a = new Uart16550(new CapturingConsole(), new FakeIrqLine());
        a.write(Uart16550.LCR, Uart16550.LCR_DLAB | 0x03, 1);
        a.write(Uart16550.DLL, 0x01, 1);
        a.write(Uart16550.LCR, 0x03, 1);
        a.write(Uart16550.FCR, Uart16550.FCR_FIFO_ENABLE | 0x80, 1); // trigger level 8
        a.write(Uart16550.IER, Uart16550.IER_ERBFI, 1);
        a.write(Uart16550.MCR, Uart16550.MCR_OUT2 | Uart16550.MCR_DTR, 1);
        a.write(Uart16550.SCR, 0x5A, 1);
        a.receive(bytes("0123456789abcdefXYZ"), 0, 19); // 16 in the FIFO, 3 queued
        assertThat(a.read(Uart16550.RBR, 1)).isEqualTo('0');

        CapturingConsole console = new CapturingConsole();
        FakeIrqLine irq = new FakeIrqLine();
        Uart16550 b = new Uart16550(console, irq);
        b.restore(a.snapshot());

        assertThat(irq.transitions).as("a PC's UART line is edge-triggered: restore drives nothing").isEmpty();
        for (int reg : new int[] {Uart16550.IER, Uart16550.IIR, Uart16550.LCR, Uart16550.MCR, Uart16550.LSR, Uart16550.SCR}) {
            assertThat(b.read(reg, 1)).as("register %d", reg).isEqualTo(a.read(reg, 1));
        }
        b.write(Uart16550.LCR, Uart16550.LCR_DLAB | 0x03, 1);
        assertThat(b.read(Uart16550.DLL, 1)).isEqualTo(0x01);
        b.write(Uart16550.LCR, 0x03, 1);
        StringBuilder read = new StringBuilder();
        while ((b.read(Uart16550.LSR, 1) & Uart16550.LSR_DATA_READY) != 0) {
            read.append((char) b.read(Uart16550.RBR, 1));
        }
        assertThat(read).hasToString("123456789abcdefXYZ");
        b.write(Uart16550.THR, 'k', 1);
        assertThat(console.text()).isEqualTo("k");
    }

    @Test
    void pl011_restores_registers_fifo_and_drives_a_high_level_again() {
        Pl011 a = new Pl011(new CapturingConsole(), new FakeIrqLine());
        a.write(Pl011.UARTIBRD, 0x27, 4);
        a.write(Pl011.UARTLCR_H, Pl011.UARTLCR_H_FEN | 0x60, 4);
        a.write(Pl011.UARTIMSC, Pl011.RXIM | Pl011.RTIM, 4);
        a.receive(bytes("hello"), 0, 5);

        CapturingConsole console = new CapturingConsole();
        FakeIrqLine irq = new FakeIrqLine();
        Pl011 b = new Pl011(console, irq);
        b.restore(a.snapshot());

        assertThat(irq.transitions).as("the PL011's SPI is level-sensitive: a new GIC must see it high").containsExactly(true);
        for (int reg : new int[] {Pl011.UARTFR, Pl011.UARTIBRD, Pl011.UARTLCR_H, Pl011.UARTIMSC, Pl011.UARTRIS, Pl011.UARTMIS}) {
            assertThat(b.read(reg, 4)).as("register 0x%x", reg).isEqualTo(a.read(reg, 4));
        }
        StringBuilder read = new StringBuilder();
        while ((b.read(Pl011.UARTFR, 4) & Pl011.UARTFR_RXFE) == 0) {
            read.append((char) b.read(Pl011.UARTDR, 4));
        }
        assertThat(read).hasToString("hello");
        assertThat(irq.level).as("drained: the line drops").isFalse();
        b.write(Pl011.UARTDR, 'k', 4);
        assertThat(console.text()).isEqualTo("k");
    }
}
