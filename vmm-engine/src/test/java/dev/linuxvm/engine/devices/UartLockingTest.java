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

        int readByte();
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

            public int readByte() {
                return u.read(Uart16550.RBR, 1);
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

            public int readByte() {
                return (int) u.read(Pl011.UARTDR, 4);
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
}
