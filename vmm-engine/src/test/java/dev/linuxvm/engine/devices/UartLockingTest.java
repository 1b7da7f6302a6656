package dev.linuxvm.engine.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.linuxvm.engine.backend.ConsoleListener;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Both UARTs call the console listener after releasing their lock, and bound the host's input.
 * Each test runs on the 16550 and on the PL011 through the same small adapter.
 */
class UartLockingTest {
    /** The little the tests need of a UART. */
    private interface Uart {
        void transmit(int b);

        int status();

        void receive(byte[] b);

        boolean receiveWaiting(byte[] b, java.util.function.BooleanSupplier stop) throws InterruptedException;

        int readByte();

        /** Whether the guest would find a received byte (16550 LSR.DR; PL011 UARTFR.RXFE clear). */
        boolean hasInput();
    }

    private static Uart uart16550(ConsoleListener out, IrqLine irq) {
        Uart16550 u = new Uart16550(out, irq);
        return new Uart() {
            public void transmit(int b) {
                u.write(Uart16550.THR, b, 1);
            }

            public int status() {
                return u.read(Uart16550.LSR, 1);
            }

            public void receive(byte[] b) {
                u.receive(b, 0, b.length);
            }

            public boolean receiveWaiting(byte[] b, java.util.function.BooleanSupplier stop) throws InterruptedException {
                return u.receiveWaiting(b, 0, b.length, stop);
            }

            public int readByte() {
                return u.read(Uart16550.RBR, 1);
            }

            public boolean hasInput() {
                return (u.read(Uart16550.LSR, 1) & 0x01) != 0;
            }
        };
    }

    private static Uart pl011(ConsoleListener out, IrqLine irq) {
        Pl011 u = new Pl011(out, irq);
        return new Uart() {
            public void transmit(int b) {
                u.write(Pl011.UARTDR, b, 4);
            }

            public int status() {
                return (int) u.read(Pl011.UARTFR, 4);
            }

            public void receive(byte[] b) {
                u.receive(b, 0, b.length);
            }

            public boolean receiveWaiting(byte[] b, java.util.function.BooleanSupplier stop) throws InterruptedException {
                return u.receiveWaiting(b, 0, b.length, stop);
            }

            public int readByte() {
                return (int) u.read(Pl011.UARTDR, 4);
            }

            public boolean hasInput() {
                return (u.read(Pl011.UARTFR, 4) & (1 << 4)) == 0;
            }
        };
    }

    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void a_slow_listener_does_not_block_a_register_access_from_another_thread_16550() throws Exception {
        slowListenerDoesNotBlockOthers(UartLockingTest::uart16550);
    }

    @Test
    void a_slow_listener_does_not_block_a_register_access_from_another_thread_pl011() throws Exception {
        slowListenerDoesNotBlockOthers(UartLockingTest::pl011);
    }

    private void slowListenerDoesNotBlockOthers(BiFunction<ConsoleListener, IrqLine, Uart> make) throws Exception {
        CountDownLatch listenerEntered = new CountDownLatch(1);
        CountDownLatch releaseListener = new CountDownLatch(1);
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        ConsoleListener slow = (b, o, l) -> {
            synchronized (seen) {
                seen.write(b, o, l);
            }
            listenerEntered.countDown();
            try {
                releaseListener.await(); // a test thread's regex search, a log flush ...
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Uart uart = make.apply(slow, IrqLine.NONE);

        // vCPU 1 writes a byte and is held inside the listener
        Future<?> vcpu1 = threads.submit(() -> uart.transmit('A'));
        assertThat(listenerEntered.await(5, TimeUnit.SECONDS)).isTrue();

        // vCPU 2 reads the status register, transmits and the host queues input: none waits for vCPU 1
        Future<?> vcpu2 = threads.submit(() -> {
            uart.status();
            uart.transmit('B');
            uart.receive(new byte[] {'x'});
            return uart.readByte();
        });
        assertThat(vcpu2.get(5, TimeUnit.SECONDS)).isEqualTo((int) 'x');
        assertThat(vcpu1.isDone()).as("vCPU 1 is still in the listener").isFalse();

        // vCPU 2 left its byte to the thread already delivering: the order holds
        releaseListener.countDown();
        vcpu1.get(5, TimeUnit.SECONDS);
        synchronized (seen) {
            assertThat(seen.toString()).isEqualTo("AB");
        }
    }

    @Test
    void host_input_is_bounded_and_a_write_that_does_not_fit_is_refused_whole() {
        for (BiFunction<ConsoleListener, IrqLine, Uart> make : java.util.List.<BiFunction<ConsoleListener, IrqLine, Uart>>of(
                UartLockingTest::uart16550, UartLockingTest::pl011)) {
            Uart uart = make.apply(ConsoleListener.DISCARD, IrqLine.NONE);
            // a full queue (the first byte moves on into the receiver, FIFOs being off at reset)
            uart.receive(new byte[UartHostSide.INPUT_CAPACITY]);
            assertThatThrownBy(() -> uart.receive(new byte[] {'a', 'b'}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the guest is not reading its console")
                    .hasMessageContaining(String.valueOf(UartHostSide.INPUT_CAPACITY));
            uart.receive(new byte[] {'z'}); // one more byte still fits: nothing of the refused write was queued
            assertThatThrownBy(() -> uart.receive(new byte[] {'c'})).isInstanceOf(IllegalStateException.class);
            uart.readByte(); // the guest reads: room again
            uart.receive(new byte[] {'d'});
        }
    }

    @Test
    void a_waiting_write_larger_than_the_queue_completes_as_the_guest_reads() throws Exception {
        for (BiFunction<ConsoleListener, IrqLine, Uart> make : java.util.List.<BiFunction<ConsoleListener, IrqLine, Uart>>of(
                UartLockingTest::uart16550, UartLockingTest::pl011)) {
            Uart uart = make.apply(ConsoleListener.DISCARD, IrqLine.NONE);
            byte[] data = new byte[UartHostSide.INPUT_CAPACITY * 2 + 7];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            Future<Boolean> writer = threads.submit(() -> uart.receiveWaiting(data, () -> false));
            for (int i = 0; i < data.length; i++) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!uart.hasInput()) { // the guest polls its status register, as a driver does
                    assertThat(System.nanoTime()).as("byte %d arrives", i).isLessThan(deadline);
                    Thread.onSpinWait();
                }
                assertThat((byte) uart.readByte()).as("byte %d, in order", i).isEqualTo(data[i]);
            }
            assertThat(writer.get(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void a_waiting_write_gives_up_when_the_guest_ended() throws Exception {
        for (BiFunction<ConsoleListener, IrqLine, Uart> make : java.util.List.<BiFunction<ConsoleListener, IrqLine, Uart>>of(
                UartLockingTest::uart16550, UartLockingTest::pl011)) {
            Uart uart = make.apply(ConsoleListener.DISCARD, IrqLine.NONE);
            uart.receive(new byte[UartHostSide.INPUT_CAPACITY]);
            uart.receive(new byte[] {'z'}); // the first byte moved on into the receiver: now the queue is full
            java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
            Future<Boolean> writer = threads.submit(() -> uart.receiveWaiting(new byte[] {'x'}, ended::get));
            Thread.sleep(200); // the writer is waiting: the queue stays full
            assertThat(writer.isDone()).isFalse();
            ended.set(true);
            assertThat(writer.get(5, TimeUnit.SECONDS)).isFalse();
        }
    }
}
