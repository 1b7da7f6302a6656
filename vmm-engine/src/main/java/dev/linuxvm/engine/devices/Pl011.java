package dev.linuxvm.engine.devices;

import dev.linuxvm.engine.backend.ConsoleListener;

import java.util.ArrayDeque;

/**
 * An Arm PrimeCell PL011 UART (ARM DDI 0183, "PrimeCell UART (PL011) Technical Reference
 * Manual", 3.2 "Summary of registers"), QEMU virt's UART at 0x0900_0000, SPI 1.
 *
 * <p>As for the 16550, transmission is instantaneous: a write to UARTDR goes to the console at
 * once, the transmit FIFO is always empty (UARTFR_TXFE), and UARTEN/TXE/RXE are not enforced
 * (QEMU does not enforce them either, and early consoles write before enabling). After each
 * transmitted byte UARTRIS_TXRIS is set until the guest clears it through UARTICR, as QEMU
 * models it; the Linux driver enables UARTIMSC_TXIM only while it has data queued. Received
 * bytes come from the host queue (bounded at 64 KiB; a write that does not fit is refused whole,
 * see {@link UartHostSide}) into a 16-entry FIFO (1 entry when UARTLCR_H_FEN is clear);
 * UARTRIS_RXRIS is asserted while the FIFO holds at least the UARTIFLS trigger level, and
 * UARTRIS_RTRIS (receive timeout) while it holds fewer (time is not modelled). The interrupt
 * line is the level of UARTMIS != 0.
 *
 * <p>The identification registers give revision 1 (UARTPeriphID2 = 0x14) and the
 * PrimeCell ids B105F00D, the values QEMU's virt PL011 returns, so the kernel sees the same
 * device (and FIFO depth 16) on both executors.
 *
 * <p>Thread-safe; the console listener and the interrupt line are called after the device lock
 * is released, so a slow listener never holds up another thread's register access.
 */
public final class Pl011 implements MmioDevice {
    /** FIFO depth for PL011 revisions before r1p5. */
    public static final int FIFO_SIZE = 16;

    /** Data register. */
    public static final int UARTDR = 0x000;
    /** Receive status / error clear register. */
    public static final int UARTRSR = 0x004;
    /** Flag register. */
    public static final int UARTFR = 0x018;
    /** IrDA low-power counter register. */
    public static final int UARTILPR = 0x020;
    /** Integer baud rate register. */
    public static final int UARTIBRD = 0x024;
    /** Fractional baud rate register. */
    public static final int UARTFBRD = 0x028;
    /** Line control register. */
    public static final int UARTLCR_H = 0x02C;
    /** Control register. */
    public static final int UARTCR = 0x030;
    /** Interrupt FIFO level select register. */
    public static final int UARTIFLS = 0x034;
    /** Interrupt mask set/clear register. */
    public static final int UARTIMSC = 0x038;
    /** Raw interrupt status register. */
    public static final int UARTRIS = 0x03C;
    /** Masked interrupt status register. */
    public static final int UARTMIS = 0x040;
    /** Interrupt clear register. */
    public static final int UARTICR = 0x044;
    /** DMA control register. */
    public static final int UARTDMACR = 0x048;
    /** UARTPeriphID0..3 at 0xFE0..0xFEC, UARTPCellID0..3 at 0xFF0..0xFFC. */
    public static final int UARTPeriphID0 = 0xFE0;
    public static final int UARTPCellID0 = 0xFF0;
    private static final int[] ID_REGISTERS = {
            0x11, 0x10, 0x14, 0x00, // UARTPeriphID0-3: part 0x011, designer 0x41 (Arm), revision 1
            0x0D, 0xF0, 0x05, 0xB1, // UARTPCellID0-3: PrimeCell 0xB105F00D
    };

    /** UARTFR: busy transmitting. */
    public static final int UARTFR_BUSY = 1 << 3;
    /** UARTFR: receive FIFO empty. */
    public static final int UARTFR_RXFE = 1 << 4;
    /** UARTFR: transmit FIFO full. */
    public static final int UARTFR_TXFF = 1 << 5;
    /** UARTFR: receive FIFO full. */
    public static final int UARTFR_RXFF = 1 << 6;
    /** UARTFR: transmit FIFO empty. */
    public static final int UARTFR_TXFE = 1 << 7;

    /** UARTLCR_H: enable FIFOs. */
    public static final int UARTLCR_H_FEN = 1 << 4;

    /** UARTCR: UART enable. */
    public static final int UARTCR_UARTEN = 1 << 0;
    /** UARTCR: transmit enable. */
    public static final int UARTCR_TXE = 1 << 8;
    /** UARTCR: receive enable. */
    public static final int UARTCR_RXE = 1 << 9;

    /** Interrupt bits shared by UARTIMSC / UARTRIS / UARTMIS / UARTICR: receive. */
    public static final int RXIM = 1 << 4;
    /** Transmit. */
    public static final int TXIM = 1 << 5;
    /** Receive timeout. */
    public static final int RTIM = 1 << 6;
    private static final int INT_MASK = 0x7FF;

    /** UARTIFLS RXIFLSEL (bits 5:3) trigger levels for a 16-entry FIFO: 1/8, 1/4, 1/2, 3/4, 7/8. */
    private static final int[] RX_TRIGGER_LEVELS = {2, 4, 8, 12, 14};

    private final Object lock = new Object();
    private final UartHostSide host;
    private final ArrayDeque<Byte> hostQueue;
    private final ArrayDeque<Byte> rxFifo = new ArrayDeque<>(FIFO_SIZE);

    private int ilpr;
    private int ibrd;
    private int fbrd;
    private int lcrH;
    private int cr = UARTCR_RXE | UARTCR_TXE; // reset value 0x0300
    private int ifls = 0x12; // reset value: both trigger levels at 1/2
    private int imsc;
    private int dmacr;
    private int txRis;

    public Pl011(ConsoleListener output, IrqLine irq) {
        this.host = new UartHostSide(lock, output, irq);
        this.hostQueue = host.input();
    }

    /**
     * Like {@link #receive}, but when the bounded host queue is full it waits for the guest to
     * read instead of refusing, as a write to a socket waits for its reader; false when
     * {@code stop} says to give up first (the guest ended).
     */
    public boolean receiveWaiting(byte[] data, int offset, int length, java.util.function.BooleanSupplier stop)
            throws InterruptedException {
        return host.offerWaiting(data, offset, length, stop, () -> {
            refill();
            update();
        });
    }

    /**
     * Bytes from the host for the guest to read.
     *
     * @throws IllegalStateException when they do not fit the bounded host queue (the guest is not
     *         reading); nothing is queued then
     */
    public void receive(byte[] data, int offset, int length) {
        synchronized (lock) {
            host.offer(data, offset, length);
            refill();
            update();
        }
        host.flush();
    }

    @Override
    public long read(long offset, int size) {
        long value;
        synchronized (lock) {
            value = readLocked((int) offset);
            update();
        }
        host.flush();
        return value;
    }

    private long readLocked(int o) {
        long value;
        if (o >= UARTPeriphID0 && o <= 0xFFC && (o & 3) == 0) {
            value = ID_REGISTERS[(o - UARTPeriphID0) >> 2];
        } else {
            switch (o) {
                case UARTDR: {
                    Byte b = rxFifo.poll();
                    refill();
                    value = b == null ? 0 : b & 0xFF;
                    break;
                }
                case UARTRSR: value = 0; break;
                case UARTFR:
                    value = UARTFR_TXFE
                            | (rxFifo.isEmpty() ? UARTFR_RXFE : 0)
                            | (rxFifo.size() >= capacity() ? UARTFR_RXFF : 0);
                    break;
                case UARTILPR: value = ilpr; break;
                case UARTIBRD: value = ibrd; break;
                case UARTFBRD: value = fbrd; break;
                case UARTLCR_H: value = lcrH; break;
                case UARTCR: value = cr; break;
                case UARTIFLS: value = ifls; break;
                case UARTIMSC: value = imsc; break;
                case UARTRIS: value = ris(); break;
                case UARTMIS: value = ris() & imsc; break;
                case UARTDMACR: value = dmacr; break;
                default: value = 0;
            }
        }
        return value;
    }

    @Override
    public void write(long offset, long data, int size) {
        synchronized (lock) {
            writeLocked((int) offset, (int) data);
            update();
        }
        host.flush();
    }

    private void writeLocked(int offset, int v) {
        switch (offset) {
            case UARTDR:
                if ((cr & (1 << 7)) != 0) { // UARTCR.LBE: loop back to the receiver
                    host.loopBack((byte) v);
                    refill();
                } else {
                    host.transmit((byte) v); // delivered by host.flush(), after the lock
                }
                txRis = TXIM;
                break;
            case UARTRSR: break; // error clear: no errors are modelled
            case UARTILPR: ilpr = v & 0xFF; break;
            case UARTIBRD: ibrd = v & 0xFFFF; break;
            case UARTFBRD: fbrd = v & 0x3F; break;
            case UARTLCR_H:
                if (((lcrH ^ v) & UARTLCR_H_FEN) != 0) {
                    // Changing FEN flushes nothing in hardware, but a 1-entry holding register
                    // cannot keep more than one byte: return the rest to the host queue's front.
                    while (rxFifo.size() > ((v & UARTLCR_H_FEN) != 0 ? FIFO_SIZE : 1)) {
                        hostQueue.addFirst(rxFifo.pollLast());
                    }
                }
                lcrH = v & 0xFF;
                refill();
                break;
            case UARTCR: cr = v & 0xFFFF; break;
            case UARTIFLS: ifls = v & 0x3F; break;
            case UARTIMSC: imsc = v & INT_MASK; break;
            case UARTICR:
                if ((v & TXIM) != 0) {
                    txRis = 0;
                }
                break; // RX and RT follow the FIFO level and re-assert while data waits
            case UARTDMACR: dmacr = v & 0x7; break;
            default: break;
        }
    }

    private int capacity() {
        return (lcrH & UARTLCR_H_FEN) != 0 ? FIFO_SIZE : 1;
    }

    private int rxTrigger() {
        if ((lcrH & UARTLCR_H_FEN) == 0) {
            return 1;
        }
        int sel = (ifls >> 3) & 7;
        return RX_TRIGGER_LEVELS[Math.min(sel, RX_TRIGGER_LEVELS.length - 1)];
    }

    private int ris() {
        int r = txRis;
        if (!rxFifo.isEmpty()) {
            r |= rxFifo.size() >= rxTrigger() ? RXIM : RTIM;
        }
        return r;
    }

    private void refill() {
        while (rxFifo.size() < capacity() && !hostQueue.isEmpty()) {
            rxFifo.add(hostQueue.poll());
            host.drained();
        }
    }

    /** Records the line's level; {@link UartHostSide#flush} sets it after the lock. */
    private void update() {
        host.irqLevel((ris() & imsc) != 0);
    }

    /**
     * The PL011's state for a snapshot: every register, the receive FIFO, the host bytes not yet
     * in it, and the interrupt level last driven. The console listener and the IRQ line are
     * wiring, not state.
     */
    public record State(int ilpr, int ibrd, int fbrd, int lcrH, int cr, int ifls, int imsc, int dmacr, int txRis,
                        boolean irqLevel, byte[] rxFifo, byte[] hostQueue) {
        public State {
            rxFifo = rxFifo.clone();
            hostQueue = hostQueue.clone();
        }
    }

    /** This UART's state now. */
    public State snapshot() {
        synchronized (lock) {
            return new State(ilpr, ibrd, fbrd, lcrH, cr, ifls, imsc, dmacr, txRis, (ris() & imsc) != 0,
                    bytes(rxFifo), bytes(hostQueue));
        }
    }

    /**
     * Takes over {@code s}. The PL011's interrupt is a level (UARTMIS != 0) into a level-sensitive
     * SPI, and a new VM's interrupt controller starts with the line low: a high level is driven
     * again here.
     */
    public void restore(State s) {
        synchronized (lock) {
            restoreLocked(s);
            update(); // publishes the restored level: high is driven again
        }
        host.flush();
    }

    private void restoreLocked(State s) {
        ilpr = s.ilpr();
        ibrd = s.ibrd();
        fbrd = s.fbrd();
        lcrH = s.lcrH();
        cr = s.cr();
        ifls = s.ifls();
        imsc = s.imsc();
        dmacr = s.dmacr();
        txRis = s.txRis();
        rxFifo.clear();
        for (byte b : s.rxFifo()) {
            rxFifo.add(b);
        }
        hostQueue.clear();
        for (byte b : s.hostQueue()) {
            hostQueue.add(b);
        }
    }

    private static byte[] bytes(ArrayDeque<Byte> q) {
        byte[] b = new byte[q.size()];
        int i = 0;
        for (byte x : q) {
            b[i++] = x;
        }
        return b;
    }
}
