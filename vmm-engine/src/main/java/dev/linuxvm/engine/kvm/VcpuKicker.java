package dev.linuxvm.engine.kvm;

import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * Gets a thread out of KVM_RUN. With an in-kernel irqchip a halted guest never exits to user
 * space, so stopping needs the kernel's own mechanism (Documentation/virt/kvm/api.rst,
 * "immediate_exit"): set {@code kvm_run.immediate_exit}, then send the vCPU thread a signal.
 * A signal that arrives during KVM_RUN makes it return EINTR; one that arrives just before is
 * covered by immediate_exit, which makes the next KVM_RUN return EINTR at once.
 *
 * <p>The signal is SIGRTMIN (the JVM uses none of the real-time signals). It needs a handler
 * that does nothing: the default action would kill the process, SIG_IGN would discard the
 * signal before it interrupts anything, and a Java callback must not run in signal context.
 * JNA cannot produce a native no-op, so the handler is libc's {@code getpid}, which has no side
 * effects, is async-signal-safe and ignores its argument.
 */
final class VcpuKicker {
    private static volatile int signal;

    private VcpuKicker() {
    }

    /** The kick signal, installing its handler on first use. */
    static synchronized int signal() {
        if (signal == 0) {
            Pointer noop = NativeLibrary.getInstance("c").getFunction("getpid");
            int sig = LibC.INSTANCE.__libc_current_sigrtmin();
            LibC.INSTANCE.signal(sig, noop);
            signal = sig;
        }
        return signal;
    }

    static long currentThread() {
        return LibC.INSTANCE.pthread_self();
    }

    /** Makes {@code vcpu}, running on {@code thread}, leave KVM_RUN. */
    static void kick(RunnableVcpu vcpu, long thread) {
        vcpu.requestImmediateExit();
        int err = LibC.INSTANCE.pthread_kill(thread, signal());
        if (err != 0) {
            throw new KvmException("pthread_kill of vCPU " + vcpu.id() + " thread failed: error " + err);
        }
    }
}
