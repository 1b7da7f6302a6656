package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.backend.VmExit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vCPU thread loop, exit arbitration and teardown, with scripted vCPUs: each run() takes
 * the next exit from a queue and blocks while it is empty, like KVM_RUN for a halted guest.
 * Kicks go through the real signal path (pthread_kill of the vCPU's thread).
 */
class KvmRunningVmTest {
    static final class FakeVcpu implements RunnableVcpu {
        final int id;
        final BlockingQueue<VcpuExit> exits = new LinkedBlockingQueue<>();

        FakeVcpu(int id) {
            this.id = id;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public VcpuExit run() {
            try {
                return exits.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void requestImmediateExit() {
            exits.add(new VcpuExit.Interrupted());
        }
    }

    static final class FakeMachine implements KvmMachine<FakeVcpu> {
        final List<FakeVcpu> vcpus = new ArrayList<>();
        final List<VcpuExit> handled = new CopyOnWriteArrayList<>();
        final BiFunction<FakeVcpu, VcpuExit, Optional<VmExit>> handler;
        volatile boolean closed;
        volatile boolean vcpuRunningAtClose;
        final List<Thread> vcpuThreads = new CopyOnWriteArrayList<>();

        FakeMachine(int n, BiFunction<FakeVcpu, VcpuExit, Optional<VmExit>> handler) {
            for (int i = 0; i < n; i++) {
                vcpus.add(new FakeVcpu(i));
            }
            this.handler = handler;
        }

        @Override
        public List<FakeVcpu> vcpus() {
            return vcpus;
        }

        @Override
        public Optional<VmExit> handle(FakeVcpu vcpu, VcpuExit exit) {
            handled.add(exit);
            return handler.apply(vcpu, exit);
        }

        @Override
        public boolean consoleInput(byte[] data, int offset, int length, java.util.function.BooleanSupplier stop) {
            return true;
        }

        @Override
        public void close() {
            vcpuRunningAtClose = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().startsWith("test-vcpu-") && t.isAlive());
            closed = true;
        }
    }

    private static final VcpuExit IO = new VcpuExit.Io(true, 1, 0x3F8, 1, 4096);

    @Test
    void first_ending_exit_wins_and_stops_every_vcpu() throws Exception {
        FakeMachine m = new FakeMachine(2, (v, e) -> e instanceof VcpuExit.SystemEvent
                ? Optional.of(new VmExit.PoweredOff()) : Optional.empty());
        KvmRunningVm<FakeVcpu> vm = new KvmRunningVm<>(m, "test");
        m.vcpus.get(1).exits.add(IO);
        m.vcpus.get(1).exits.add(new VcpuExit.SystemEvent(1));
        assertThat(vm.awaitExit(Duration.ofSeconds(5))).contains(new VmExit.PoweredOff());
        vm.close();
        assertThat(vm.exit()).as("close after the end keeps the guest's exit").contains(new VmExit.PoweredOff());
        assertThat(m.handled).containsExactly(IO, new VcpuExit.SystemEvent(1));
        assertThat(m.closed).isTrue();
        assertThat(m.vcpuRunningAtClose).as("machine released only after every vCPU thread ended").isFalse();
    }

    @Test
    void close_kicks_blocked_vcpus_and_reports_stopped() throws Exception {
        FakeMachine m = new FakeMachine(3, (v, e) -> Optional.empty());
        KvmRunningVm<FakeVcpu> vm = new KvmRunningVm<>(m, "test");
        assertThat(vm.awaitExit(Duration.ofMillis(100))).isEmpty();
        vm.close();
        assertThat(vm.exit()).get().isInstanceOf(VmExit.Stopped.class);
        assertThat(m.closed).isTrue();
        assertThat(m.vcpuRunningAtClose).isFalse();
    }

    @Test
    void an_exception_in_exit_handling_is_a_crash_naming_the_vcpu() throws Exception {
        FakeMachine m = new FakeMachine(1, (v, e) -> {
            throw new KvmException("KVM_GET_REGS failed: errno 5");
        });
        try (KvmRunningVm<FakeVcpu> vm = new KvmRunningVm<>(m, "test")) {
            m.vcpus.get(0).exits.add(IO);
            VmExit exit = vm.awaitExit(Duration.ofSeconds(5)).orElseThrow();
            assertThat(exit.describe()).startsWith("crashed: vCPU 0:").contains("errno 5");
        }
        assertThat(m.closed).isTrue();
    }

    /** A vCPU that KVM keeps answering EAGAIN for at once (no blocking in KVM_RUN), counting runs. */
    static final class NeverRunnableVcpu implements RunnableVcpu {
        final int id;
        final java.util.concurrent.atomic.AtomicLong runs = new java.util.concurrent.atomic.AtomicLong();
        volatile boolean kicked;

        NeverRunnableVcpu(int id) {
            this.id = id;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public VcpuExit run() {
            runs.incrementAndGet();
            if (kicked) {
                kicked = false;
                return new VcpuExit.Interrupted();
            }
            return new VcpuExit.NotRunnable();
        }

        @Override
        public void requestImmediateExit() {
            kicked = true;
        }
    }

    @Test
    void eagain_is_retried_without_spinning_a_core_and_close_still_stops_the_vcpu() throws Exception {
        NeverRunnableVcpu ap = new NeverRunnableVcpu(0);
        List<VcpuExit> handled = new CopyOnWriteArrayList<>();
        KvmMachine<NeverRunnableVcpu> m = new KvmMachine<>() {
            @Override
            public List<NeverRunnableVcpu> vcpus() {
                return List.of(ap);
            }

            @Override
            public Optional<VmExit> handle(NeverRunnableVcpu vcpu, VcpuExit exit) {
                handled.add(exit);
                return Optional.empty();
            }

            @Override
            public boolean consoleInput(byte[] data, int offset, int length, java.util.function.BooleanSupplier stop) {
                return true;
            }

            @Override
            public void close() {
            }
        };
        KvmRunningVm<NeverRunnableVcpu> vm = new KvmRunningVm<>(m, "test");
        Thread.sleep(500);
        assertThat(vm.exit()).as("EAGAIN is a retry, not a crash").isEmpty();
        long runs = ap.runs.get();
        // Unpaced, a loop around an instant EAGAIN makes millions of calls in 500 ms; paced at
        // most one per MAX_DELAY (1 ms) after the free retries, plus the ramp.
        assertThat(runs).as("KVM_RUN calls in 500 ms").isBetween((long) RetryPacer.FREE_RETRIES, 1_000L);
        long start = System.nanoTime();
        vm.close();
        assertThat(System.nanoTime() - start).as("close while pacing").isLessThan(TimeUnit.SECONDS.toNanos(2));
        assertThat(vm.exit()).get().isInstanceOf(VmExit.Stopped.class);
        assertThat(handled).as("retries never reach the machine").isEmpty();
    }

    @Test
    void an_ap_that_becomes_runnable_after_eagain_has_its_exits_handled() throws Exception {
        FakeMachine m = new FakeMachine(2, (v, e) -> e instanceof VcpuExit.SystemEvent
                ? Optional.of(new VmExit.PoweredOff()) : Optional.empty());
        KvmRunningVm<FakeVcpu> vm = new KvmRunningVm<>(m, "test");
        FakeVcpu ap = m.vcpus.get(1);
        for (int i = 0; i < RetryPacer.FREE_RETRIES + 3; i++) {
            ap.exits.add(new VcpuExit.NotRunnable());
        }
        ap.exits.add(IO);
        ap.exits.add(new VcpuExit.SystemEvent(1));
        assertThat(vm.awaitExit(Duration.ofSeconds(5))).contains(new VmExit.PoweredOff());
        vm.close();
        assertThat(m.handled).containsExactly(IO, new VcpuExit.SystemEvent(1));
    }

    @Test
    void interrupted_runs_are_not_handed_to_the_machine() throws Exception {
        FakeMachine m = new FakeMachine(1, (v, e) -> Optional.empty());
        try (KvmRunningVm<FakeVcpu> vm = new KvmRunningVm<>(m, "test")) {
            m.vcpus.get(0).exits.add(new VcpuExit.Interrupted());
            m.vcpus.get(0).exits.add(IO);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (m.handled.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        assertThat(m.handled).containsExactly(IO);
    }
}
