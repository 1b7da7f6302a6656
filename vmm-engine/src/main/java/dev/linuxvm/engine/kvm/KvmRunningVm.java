package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.VmExit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running KVM guest: one platform thread per vCPU looping on KVM_RUN. Retries are not exits:
 * an interrupted run goes straight back in, a not-yet-runnable one (EAGAIN) through a
 * {@link RetryPacer}. The first vCPU whose
 * exit ends the guest records the {@link VmExit} and kicks the others out of KVM_RUN
 * ({@link VcpuKicker}). {@link #close()} does the same with {@link VmExit.Stopped}, waits for
 * every vCPU thread, and only then releases the machine (fds, kvm_run mappings, guest RAM):
 * a mapping must not disappear under a thread still inside KVM_RUN.
 */
final class KvmRunningVm<V extends RunnableVcpu> implements RunningVm {
    private static final System.Logger LOG = System.getLogger(KvmRunningVm.class.getName());
    /** How long close() waits for each vCPU thread after kicking it. */
    static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    private final KvmMachine<V> machine;
    private final List<Thread> threads = new ArrayList<>();
    private final long[] pthreads;
    private final boolean[] inRunLoop;
    private final AtomicReference<VmExit> exit = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean stopping;
    /** Set by {@link #snapshot()}: the vCPU threads leave their loops without an exit. */
    private volatile boolean pausing;
    private boolean closed;

    /**
     * Blocks while the UART's input queue is full, as a socket write to QEMU's serial port does,
     * and fails once the guest has ended (nobody will read the rest).
     */
    private final OutputStream consoleInput = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                if (!machine.consoleInput(b, off, len, () -> exit.get() != null)) {
                    throw new IOException("console input not delivered: the guest " + exit.get().describe());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the guest's console input queue was full");
            }
        }
    };

    KvmRunningVm(KvmMachine<V> machine, String name) {
        this.machine = machine;
        int n = machine.vcpus().size();
        this.pthreads = new long[n];
        this.inRunLoop = new boolean[n];
        VcpuKicker.signal(); // install the handler before any thread can be kicked
        CountDownLatch started = new CountDownLatch(n);
        for (V vcpu : machine.vcpus()) {
            Thread t = new Thread(() -> runLoop(vcpu, started), name + "-vcpu-" + vcpu.id());
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runLoop(V vcpu, CountDownLatch started) {
        int i = vcpu.id();
        synchronized (this) {
            pthreads[i] = VcpuKicker.currentThread();
            inRunLoop[i] = true;
        }
        started.countDown();
        RetryPacer notRunnable = new RetryPacer();
        try {
            while (!stopping) {
                VcpuExit e = vcpu.run();
                if (e instanceof VcpuExit.NotRunnable) {
                    notRunnable.retry();
                    continue;
                }
                notRunnable.reset();
                if (e instanceof VcpuExit.Interrupted) {
                    continue;
                }
                Optional<VmExit> end = machine.handle(vcpu, e);
                if (end.isPresent()) {
                    finish(end.get());
                }
            }
            if (pausing) {
                completePendingExit(vcpu);
            }
        } catch (RuntimeException | Error t) {
            finish(new VmExit.Crashed("vCPU " + i + ": " + t));
        } finally {
            synchronized (this) {
                inRunLoop[i] = false;
            }
        }
    }

    /**
     * An I/O, MMIO or MSR exit is complete only once KVM_RUN is entered again, and that pending
     * part is in no state userspace can read (api.rst, "KVM_RUN": "userspace should ensure that
     * the operation is completed before performing a live migration"). One more KVM_RUN with
     * immediate_exit set completes it and returns EINTR before any guest instruction runs.
     */
    private static void completePendingExit(RunnableVcpu vcpu) {
        vcpu.requestImmediateExit();
        VcpuExit e = vcpu.run();
        if (!(e instanceof VcpuExit.Interrupted)) {
            throw new KvmException("vCPU " + vcpu.id() + ": KVM_RUN with immediate_exit returned " + e
                    + " instead of EINTR while pausing for a snapshot");
        }
    }

    /** Records the first exit and stops every vCPU. */
    private void finish(VmExit how) {
        if (exit.compareAndSet(null, how)) {
            ended.countDown();
        }
        stopping = true;
        kickAll();
    }

    private synchronized void kickAll() {
        List<V> vcpus = machine.vcpus();
        for (int i = 0; i < vcpus.size(); i++) {
            if (inRunLoop[i] && pthreads[i] != VcpuKicker.currentThread()) {
                VcpuKicker.kick(vcpus.get(i), pthreads[i]);
            }
        }
    }

    @Override
    public OutputStream consoleInput() {
        return consoleInput;
    }

    @Override
    public Optional<VmExit> exit() {
        return Optional.ofNullable(exit.get());
    }

    @Override
    public Optional<VmExit> awaitExit(Duration timeout) throws InterruptedException {
        ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        return exit();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        finish(new VmExit.Stopped("closed by the host"));
        boolean allStopped = true;
        for (Thread t : threads) {
            try {
                t.join(JOIN_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                allStopped = false;
                LOG.log(System.Logger.Level.WARNING, t.getName() + " did not leave KVM_RUN within "
                        + JOIN_TIMEOUT + "; leaking its VM rather than unmapping memory it may still use");
            }
        }
        if (allStopped) {
            machine.close();
        }
    }

    /**
     * Pauses every vCPU for good (kicked out of KVM_RUN, pending exits completed, threads
     * ended) and captures the machine. The guest stays paused: it runs no more and gets no exit;
     * {@link #close()} releases it and leaves the snapshot intact (the snapshot owns its own
     * descriptors of the RAM memfds). Calling it again on the paused guest takes another,
     * identical snapshot.
     */
    @Override
    public KvmSnapshot snapshot() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("cannot snapshot a closed guest");
            }
        }
        if (exit.get() != null) {
            throw new IllegalStateException("cannot snapshot a guest that has ended: " + exit.get());
        }
        pausing = true;
        stopping = true;
        kickAll();
        for (Thread t : threads) {
            try {
                t.join(JOIN_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KvmException("interrupted while pausing the guest for a snapshot");
            }
            if (t.isAlive()) {
                throw new KvmException(t.getName() + " did not leave KVM_RUN within " + JOIN_TIMEOUT + " of the pause");
            }
        }
        if (exit.get() != null) {
            throw new IllegalStateException("the guest ended while pausing for the snapshot: " + exit.get());
        }
        return machine.snapshot();
    }
}
