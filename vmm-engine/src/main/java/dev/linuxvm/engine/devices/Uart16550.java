package dev.linuxvm.engine.devices;

import dev.linuxvm.engine.backend.ConsoleListener;

import java.util.ArrayDeque;

/**
 * A 16550A UART (National Semiconductor / TI PC16550D datasheet, "Register Description"), the
 * PC's COM1 at I/O 0x3F8, IRQ 4. Transmission is instantaneous: a byte written to THR goes to
 * the {@link ConsoleListener} at once, so THR and the transmitter are always empty
 * (LSR_THRE | LSR_TEMT). Received bytes come from the host through {@link #receive}; they wait
 * in a host queue bounded at 64 KiB (a write that does not fit is refused whole, see
 * {@link UartHostSide}) and move into the 16-byte receive FIFO (1 byte with FIFOs off) as the
 * guest reads, so nothing the host queued is ever lost to an overrun.
 *
 * <p>Interrupts (IIR, highest priority first): receiver line status is never raised (no
 * errors are modelled); received data available when the FIFO holds at least the FCR trigger
 * level, and character timeout when it holds fewer (time is not modelled: data below the
 * trigger level counts as timed out at once); THR empty, raised when the guest writes THR
 * (the byte leaves at once) or enables IER_ETBEI while THR is empty, cleared by reading IIR
 * with that cause or writing THR; modem status when an MSR delta bit is set. The line is a
 * level: asserted while any enabled cause is pending.
 *
 * <p>MCR_LOOP: bytes written to THR return to the receiver instead of the console, and MSR
 * reflects MCR (CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2), which is what the Linux 8250
 * driver's loopback probe checks. Outside loopback the modem lines read DCD | DSR | CTS.
 *
 * <p>Thread-safe: vCPU threads and the host input thread all call in. The console listener and
 * the interrupt line are called after the device lock is released ({@link UartHostSide}), so a
 * slow listener never holds up another thread's register access.
 */
public final class Uart16550 implements PortIoDevice {
    /** Number of I/O ports the UART decodes. */
    public static final int PORT_COUNT = 8;
    /** Receive FIFO depth of the 16550A. */
    public static final int FIFO_SIZE = 16;

    // Register offsets (DLAB = LCR bit 7 selects DLL/DLM at 0 and 1).
    /** Receiver Buffer Register (read, DLAB = 0). */
    public static final int RBR = 0;
    /** Transmitter Holding Register (write, DLAB = 0). */
    public static final int THR = 0;
    /** Divisor Latch LSB (DLAB = 1). */
    public static final int DLL = 0;
    /** Interrupt Enable Register (DLAB = 0). */
    public static final int IER = 1;
    /** Divisor Latch MSB (DLAB = 1). */
    public static final int DLM = 1;
    /** Interrupt Identification Register (read). */
    public static final int IIR = 2;
    /** FIFO Control Register (write). */
    public static final int FCR = 2;
    /** Line Control Register. */
    public static final int LCR = 3;
    /** Modem Control Register. */
    public static final int MCR = 4;
    /** Line Status Register. */
    public static final int LSR = 5;
    /** Modem Status Register. */
    public static final int MSR = 6;
    /** Scratch Register. */
    public static final int SCR = 7;

    /** IER: Enable Received Data Available Interrupt. */
    public static final int IER_ERBFI = 0x01;
    /** IER: Enable Transmitter Holding Register Empty Interrupt. */
    public static final int IER_ETBEI = 0x02;
    /** IER: Enable Receiver Line Status Interrupt. */
    public static final int IER_ELSI = 0x04;
    /** IER: Enable Modem Status Interrupt. */
    public static final int IER_EDSSI = 0x08;
    private static final int IER_MASK = 0x0F;

    /** IIR: bit 0 set = no interrupt pending. */
    public static final int IIR_NO_INT = 0x01;
    /** IIR id: modem status. */
    public static final int IIR_MSI = 0x00;
    /** IIR id: THR empty. */
    public static final int IIR_THRI = 0x02;
    /** IIR id: received data available. */
    public static final int IIR_RDI = 0x04;
    /** IIR id: receiver line status. */
    public static final int IIR_RLSI = 0x06;
    /** IIR id: character timeout (FIFO mode). */
    public static final int IIR_CTI = 0x0C;
    /** IIR bits 7:6, both set when FIFOs are enabled. */
    public static final int IIR_FIFO_ENABLED = 0xC0;

    /** FCR: FIFO enable. */
    public static final int FCR_FIFO_ENABLE = 0x01;
    /** FCR: clear receive FIFO (self-clearing). */
    public static final int FCR_RCVR_RESET = 0x02;
    /** FCR: clear transmit FIFO (self-clearing). */
    public static final int FCR_XMIT_RESET = 0x04;
    /** FCR bits 7:6: receiver trigger level 1, 4, 8, 14 bytes. */
    private static final int[] FCR_TRIGGER_LEVELS = {1, 4, 8, 14};

    /** LCR: Divisor Latch Access Bit. */
    public static final int LCR_DLAB = 0x80;

    /** MCR: Data Terminal Ready. */
    public static final int MCR_DTR = 0x01;
    /** MCR: Request To Send. */
    public static final int MCR_RTS = 0x02;
    /** MCR: OUT1. */
    public static final int MCR_OUT1 = 0x04;
    /** MCR: OUT2 (gates the IRQ on PCs). */
    public static final int MCR_OUT2 = 0x08;
    /** MCR: loopback mode. */
    public static final int MCR_LOOP = 0x10;
    private static final int MCR_MASK = 0x1F;

    /** LSR: data ready (the receive FIFO/RBR holds a byte). */
    public static final int LSR_DATA_READY = 0x01;
    /** LSR: overrun error (never set: the host queue absorbs bursts). */
    public static final int LSR_OE = 0x02;
    /** LSR: transmitter holding register empty. */
    public static final int LSR_THRE = 0x20;
    /** LSR: transmitter empty. */
    public static final int LSR_TEMT = 0x40;

    /** MSR: delta CTS. */
    public static final int MSR_DCTS = 0x01;
    /** MSR: delta DSR. */
    public static final int MSR_DDSR = 0x02;
    /** MSR: trailing edge ring indicator. */
    public static final int MSR_TERI = 0x04;
    /** MSR: delta DCD. */
    public static final int MSR_DDCD = 0x08;
    /** MSR: clear to send. */
    public static final int MSR_CTS = 0x10;
    /** MSR: data set ready. */
    public static final int MSR_DSR = 0x20;
    /** MSR: ring indicator. */
    public static final int MSR_RI = 0x40;
    /** MSR: data carrier detect. */
    public static final int MSR_DCD = 0x80;
    private static final int MSR_DELTAS = MSR_DCTS | MSR_DDSR | MSR_TERI | MSR_DDCD;

    private final Object lock = new Object();
    private final UartHostSide host;
    private final ArrayDeque<Byte> hostQueue;
    private final ArrayDeque<Byte> rxFifo = new ArrayDeque<>(FIFO_SIZE);

    private int ier;
    private int lcr;
    private int mcr;
    private int msr = MSR_DCD | MSR_DSR | MSR_CTS;
    private int scr;
    private int dll = 0x0C; // 9600 baud at 1.8432 MHz: a common power-on divisor
    private int dlm;
    private boolean fifoEnabled;
    private int triggerLevel = 1;
    private boolean thrInterrupt;

    public Uart16550(ConsoleListener output, IrqLine irq) {
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
            refillFifo();
            updateIrq();
        });
    }

    /**
     * Bytes from the host for the guest to read (keyboard input, test input).
     *
     * @throws IllegalStateException when they do not fit the bounded host queue (the guest is not
     *         reading); nothing is queued then
     */
    public void receive(byte[] data, int offset, int length) {
        synchronized (lock) {
            host.offer(data, offset, length);
            refillFifo();
            updateIrq();
        }
        host.flush();
    }

    /** Bytes waiting in the host queue and the FIFO, not yet read by the guest. */
    public int pendingInput() {
        synchronized (lock) {
            return hostQueue.size() + rxFifo.size();
        }
    }

    @Override
    public int read(int offset, int size) {
        int value;
        synchronized (lock) {
            value = readLocked(offset);
            updateIrq();
        }
        host.flush();
        return value;
    }

    private int readLocked(int offset) {
        int value;
        switch (offset) {
            case RBR:
                value = dlab() ? dll : readRbr();
                break;
            case IER:
                value = dlab() ? dlm : ier;
                break;
            case IIR:
                value = readIir();
                break;
            case LCR:
                value = lcr;
                break;
            case MCR:
                value = mcr;
                break;
            case LSR:
                value = LSR_THRE | LSR_TEMT | (rxFifo.isEmpty() ? 0 : LSR_DATA_READY);
                break;
            case MSR:
                value = readMsr();
                break;
            case SCR:
                value = scr;
                break;
            default:
                value = 0xFF;
        }
        return value;
    }

    @Override
    public void write(int offset, int data, int size) {
        synchronized (lock) {
            writeLocked(offset, data & 0xFF);
            updateIrq();
        }
        host.flush();
    }

    private void writeLocked(int offset, int v) {
        switch (offset) {
            case THR:
                if (dlab()) {
                    dll = v;
                } else {
                    writeThr((byte) v);
                }
                break;
            case IER:
                if (dlab()) {
                    dlm = v;
                } else {
                    boolean thriEnabledNow = (v & IER_ETBEI) != 0 && (ier & IER_ETBEI) == 0;
                    ier = v & IER_MASK;
                    if (thriEnabledNow) {
                        thrInterrupt = true; // THR is always empty: enabling ETBEI raises THRE at once
                    }
                }
                break;
            case FCR:
                writeFcr(v);
                break;
            case LCR:
                lcr = v;
                break;
            case MCR:
                writeMcr(v & MCR_MASK);
                break;
            case LSR:
                break; // factory test only
            case MSR:
                break; // read-only
            case SCR:
                scr = v;
                break;
            default:
                break;
        }
    }

    private boolean dlab() {
        return (lcr & LCR_DLAB) != 0;
    }

    private int readRbr() {
        Byte b = rxFifo.poll();
        refillFifo();
        return b == null ? 0 : b & 0xFF;
    }

    private void writeThr(byte b) {
        if ((mcr & MCR_LOOP) != 0) {
            host.loopBack(b);
            refillFifo();
        } else {
            host.transmit(b); // delivered by host.flush(), after the lock
        }
        thrInterrupt = true; // the byte left at once: THR is empty again
    }

    private void writeFcr(int v) {
        boolean enable = (v & FCR_FIFO_ENABLE) != 0;
        if (enable != fifoEnabled) {
            rxFifo.clear(); // changing the enable bit resets both FIFOs
            fifoEnabled = enable;
        }
        if ((v & FCR_RCVR_RESET) != 0) {
            rxFifo.clear();
        }
        triggerLevel = FCR_TRIGGER_LEVELS[(v >> 6) & 3];
        refillFifo();
    }

    private void writeMcr(int v) {
        int oldMsr = modemLines();
        mcr = v;
        int newMsr = modemLines();
        int changed = oldMsr ^ newMsr;
        if ((changed & MSR_CTS) != 0) {
            msr |= MSR_DCTS;
        }
        if ((changed & MSR_DSR) != 0) {
            msr |= MSR_DDSR;
        }
        if ((changed & MSR_DCD) != 0) {
            msr |= MSR_DDCD;
        }
        if ((oldMsr & MSR_RI) != 0 && (newMsr & MSR_RI) == 0) {
            msr |= MSR_TERI;
        }
    }

    /** The four modem input lines as MSR bits 7:4. */
    private int modemLines() {
        if ((mcr & MCR_LOOP) == 0) {
            return MSR_DCD | MSR_DSR | MSR_CTS;
        }
        int lines = 0;
        if ((mcr & MCR_RTS) != 0) {
            lines |= MSR_CTS;
        }
        if ((mcr & MCR_DTR) != 0) {
            lines |= MSR_DSR;
        }
        if ((mcr & MCR_OUT1) != 0) {
            lines |= MSR_RI;
        }
        if ((mcr & MCR_OUT2) != 0) {
            lines |= MSR_DCD;
        }
        return lines;
    }

    private int readMsr() {
        int value = modemLines() | (msr & MSR_DELTAS);
        msr &= ~MSR_DELTAS; // reading MSR clears the delta bits
        return value;
    }

    private int readIir() {
        int id = pendingInterrupt();
        if (id == IIR_THRI) {
            thrInterrupt = false; // reading IIR with THRE as the source clears it
        }
        return id | (fifoEnabled ? IIR_FIFO_ENABLED : 0);
    }

    /** The highest-priority enabled pending interrupt as an IIR id, or IIR_NO_INT. */
    private int pendingInterrupt() {
        if ((ier & IER_ERBFI) != 0 && !rxFifo.isEmpty()) {
            return rxFifo.size() >= rxTrigger() ? IIR_RDI : IIR_CTI;
        }
        if ((ier & IER_ETBEI) != 0 && thrInterrupt) {
            return IIR_THRI;
        }
        if ((ier & IER_EDSSI) != 0 && (msr & MSR_DELTAS) != 0) {
            return IIR_MSI;
        }
        return IIR_NO_INT;
    }

    private int rxTrigger() {
        return fifoEnabled ? triggerLevel : 1;
    }

    private void refillFifo() {
        int capacity = fifoEnabled ? FIFO_SIZE : 1;
        while (rxFifo.size() < capacity && !hostQueue.isEmpty()) {
            rxFifo.add(hostQueue.poll());
            host.drained();
        }
    }

    /** Records the line's level; {@link UartHostSide#flush} sets it after the lock. */
    private void updateIrq() {
        host.irqLevel(pendingInterrupt() != IIR_NO_INT);
    }

    /**
     * The UART's state for a snapshot: every register, the receive FIFO, the host bytes not yet
     * in it, and the interrupt level last driven. The console listener and the IRQ line are
     * wiring, not state.
     */
    public record State(int ier, int lcr, int mcr, int msr, int scr, int dll, int dlm, boolean fifoEnabled,
                        int triggerLevel, boolean thrInterrupt, boolean irqLevel, byte[] rxFifo, byte[] hostQueue) {
        public State {
            rxFifo = rxFifo.clone();
            hostQueue = hostQueue.clone();
        }
    }

    /** This UART's state now. */
    public State snapshot() {
        synchronized (lock) {
            return new State(ier, lcr, mcr, msr, scr, dll, dlm, fifoEnabled, triggerLevel, thrInterrupt,
                    pendingInterrupt() != IIR_NO_INT, bytes(rxFifo), bytes(hostQueue));
        }
    }

    /**
     * Takes over {@code s}. The IRQ line is not driven: on a PC it is edge-triggered, and the
     * interrupt controllers' restored state already holds what the line did.
     */
    public void restore(State s) {
        synchronized (lock) {
            restoreLocked(s);
        }
    }

    private void restoreLocked(State s) {
        ier = s.ier();
        lcr = s.lcr();
        mcr = s.mcr();
        msr = s.msr();
        scr = s.scr();
        dll = s.dll();
        dlm = s.dlm();
        fifoEnabled = s.fifoEnabled();
        triggerLevel = s.triggerLevel();
        thrInterrupt = s.thrInterrupt();
        host.assumeIrqLevel(s.irqLevel());
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
