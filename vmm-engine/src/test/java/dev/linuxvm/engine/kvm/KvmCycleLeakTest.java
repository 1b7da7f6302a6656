package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.ProcSelf;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.VmExit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.linuxvm.engine.kvm.SmokeGuests.HELLO_POWER_OFF;
import static dev.linuxvm.engine.kvm.SmokeGuests.x86Guest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue #11, "nothing leaks": {@value #CYCLES} create/run/close cycles of the smallest guest on our
 * KVM backend leave this JVM's descriptors, threads, mappings and RSS where they were. Runs where
 * /dev/kvm opens (PVM included: the guest has no user space).
 *
 * <p>What one cycle takes and gives back: the VM and vCPU fds, the vCPU's kvm_run mapping, 2 MiB
 * of guest RAM (mmap), one vCPU thread. A leak of any of them grows its figure by one per cycle,
 * so 500 cycles turn it into a growth of 500 (fds, threads) or 1000 (mappings: RAM and kvm_run)
 * that the allowances below cannot hide. The allowances only absorb what the JVM does on its own
 * after the warm-up: a compiler thread started or retired (HotSpot's dynamic compiler threads),
 * code-cache and heap segments mapped, glibc malloc arenas created for new native threads (up to
 * 8 per core, each a mapping and its guard region).
 */
@EnabledIfKvm
class KvmCycleLeakTest {
    static final int CYCLES = 500;
    static final int WARM_UP = 10;
    /** fds: none per cycle; a few for what the JDK opens lazily (a jar, the random device). */
    static final int FD_ALLOWANCE = 4;
    /** Java threads: none per cycle; 2 for JDK helpers that start on first use (Cleaner, a timer). */
    static final int JAVA_THREAD_ALLOWANCE = 2;
    /** Kernel tasks: as Java threads, plus the JIT's and G1's workers that come and go. */
    static final int TASK_ALLOWANCE = 8;
    /** /proc/self/maps lines: malloc arenas (2 lines each, at most 8 per core) and code/heap segments. */
    static final int MAPPING_ALLOWANCE = 64;
    /**
     * RSS: 64 MiB for the Java heap and code cache still growing after the warm-up (G1 commits
     * regions as it likes). A leaked guest RAM region costs only the pages the guest touched, so
     * RSS is the weakest of the four checks; the mapping count catches that leak.
     */
    static final long RSS_ALLOWANCE_KIB = 64 * 1024;

    @Test
    void five_hundred_create_run_close_cycles_leave_fds_threads_mappings_and_rss_flat() throws Exception {
        assumeTrue(Arch.host() == Arch.X86_64, "the hand-assembled guest is x86_64; this host is " + Arch.host());
        GuestImage image = x86Guest(HELLO_POWER_OFF);
        KvmBackend backend = new KvmBackend();
        for (int i = 0; i < WARM_UP; i++) {
            cycle(backend, image, -1 - i); // classes, JNA, the kicker's signal handler, JIT of the run loop
        }
        ProcSelf first = ProcSelf.now();
        Map<String, String> fdsBefore = ProcSelf.openFds();
        List<String> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < CYCLES; i++) {
            cycle(backend, image, i);
            if ((i + 1) % 100 == 0) {
                samples.add("after " + (i + 1) + ": " + ProcSelf.now());
            }
        }
        long micros = (System.nanoTime() - t0) / 1000 / CYCLES;
        ProcSelf last = ProcSelf.now();
        System.out.printf("KVM %d cycles (%d µs each): first %s%n  %s%n  last %s%n", CYCLES, micros, first,
                String.join("\n  ", samples), last);

        assertThat(last.fds()).as("open fds; first %s, last %s; now open: %s", first, last, ProcSelf.openFds())
                .isLessThanOrEqualTo(first.fds() + FD_ALLOWANCE);
        assertThat(last.javaThreads()).as("Java threads; first %s, last %s", first, last)
                .isLessThanOrEqualTo(first.javaThreads() + JAVA_THREAD_ALLOWANCE);
        assertThat(last.tasks()).as("tasks; first %s, last %s", first, last)
                .isLessThanOrEqualTo(first.tasks() + TASK_ALLOWANCE);
        assertThat(last.mappings()).as("mappings; first %s, last %s", first, last)
                .isLessThanOrEqualTo(first.mappings() + MAPPING_ALLOWANCE);
        assertThat(last.rssKib()).as("RSS in KiB; first %s, last %s", first, last)
                .isLessThanOrEqualTo(first.rssKib() + RSS_ALLOWANCE_KIB);
        assertThat(ProcSelf.openFds().values()).as("KVM descriptors left open (fds before: %s)", fdsBefore)
                .noneMatch(target -> target.startsWith("anon_inode:kvm"));
    }

    private static void cycle(KvmBackend backend, GuestImage image, int i) throws InterruptedException {
        KvmSmokeTest.Console console = new KvmSmokeTest.Console();
        try (RunningVm vm = backend.start(image, console)) {
            VmExit exit = vm.awaitExit(Duration.ofSeconds(20)).orElse(null);
            assertThat(exit).as("cycle %d: exit; console %s", i, console.text()).isEqualTo(new VmExit.PoweredOff());
        }
        assertThat(console.text()).as("cycle %d console", i).isEqualTo("OK");
    }
}
