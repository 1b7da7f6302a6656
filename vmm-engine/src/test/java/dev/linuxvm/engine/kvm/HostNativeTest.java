package dev.linuxvm.engine.kvm;

import com.sun.jna.LastErrorException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The host-side native pieces that need no /dev/kvm: guest RAM mappings and the vCPU kick. */
class HostNativeTest {
    @Test
    void guest_memory_is_zeroed_writable_and_bounds_checked() {
        try (GuestMemory m = GuestMemory.allocate(0x4000_0000L, 64L << 20)) {
            assertThat(m.read(0x4000_0000L + (32L << 20), 8)).containsOnly(0);
            m.write(0x4010_0000L, new byte[] {1, 2, 3});
            assertThat(m.read(0x4010_0000L, 3)).containsExactly(1, 2, 3);
            assertThat(m.contains(0x4000_0000L + (64L << 20) - 4, 4)).isTrue();
            assertThat(m.contains(0x4000_0000L + (64L << 20) - 4, 5)).isFalse();
            assertThatThrownBy(() -> m.read(0x3FFF_FFFFL, 1)).isInstanceOf(KvmException.class)
                    .hasMessageContaining("outside RAM");
        }
    }

    @Test
    void opening_a_missing_device_names_the_path_and_errno() {
        assertThatThrownBy(() -> KvmSystem.open("/nonexistent/kvm"))
                .isInstanceOf(KvmException.class)
                .hasMessageContaining("open(/nonexistent/kvm) failed: errno 2");
    }

    @Test
    void kick_signal_interrupts_a_blocking_syscall_without_killing_the_jvm() throws Exception {
        int sig = VcpuKicker.signal();
        assertThat(sig).isGreaterThanOrEqualTo(32);
        AtomicLong pthread = new AtomicLong();
        AtomicInteger errno = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            pthread.set(VcpuKicker.currentThread());
            ready.countDown();
            try {
                LibC.INSTANCE.pause();
            } catch (LastErrorException e) {
                errno.set(e.getErrorCode());
            }
        }, "kick-target");
        t.start();
        ready.await();
        // The thread may not be inside pause() yet: signal until it returns.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (t.isAlive() && System.nanoTime() < deadline) {
            assertThat(LibC.INSTANCE.pthread_kill(pthread.get(), sig)).isZero();
            t.join(20);
        }
        assertThat(t.isAlive()).as("pause() returned").isFalse();
        assertThat(errno.get()).isEqualTo(LibC.EINTR);
    }
}
