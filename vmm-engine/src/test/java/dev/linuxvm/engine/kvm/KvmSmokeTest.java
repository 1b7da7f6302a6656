package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.VmExit;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import static dev.linuxvm.engine.kvm.SmokeGuests.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@link SmokeGuests} on our KVM backend. Runs where /dev/kvm works (PVM included: no user
 * space is involved), each guest on its own host architecture.
 */
@EnabledIfKvm
class KvmSmokeTest {
    static final class Console implements ConsoleListener {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void onOutput(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static void assumeX86Host() {
        assumeTrue(Arch.host() == Arch.X86_64, "the hand-assembled guests are x86_64; this host is " + Arch.host());
    }

    @Test
    void writes_ok_to_com1_and_powers_off_through_pm1() throws Exception {
        assumeX86Host();
        Console console = new Console();
        try (RunningVm vm = new KvmBackend().start(x86Guest(HELLO_POWER_OFF), console)) {
            Optional<VmExit> exit = vm.awaitExit(Duration.ofSeconds(20));
            assertThat(exit).as("exit within 20 s; console so far: %s", console.text())
                    .contains(new VmExit.PoweredOff());
        }
        assertThat(console.text()).isEqualTo("OK");
    }

    @Test
    void triple_fault_is_a_crash_with_rip_and_instruction_bytes() throws Exception {
        assumeX86Host();
        try (RunningVm vm = new KvmBackend().start(x86Guest(UD2), ConsoleListener.DISCARD)) {
            VmExit exit = vm.awaitExit(Duration.ofSeconds(20)).orElseThrow();
            assertThat(exit).isInstanceOf(VmExit.Crashed.class);
            assertThat(exit.describe()).contains("triple fault").contains("RIP 0x8000").contains("0f 0b");
        }
    }

    @Test
    void close_stops_a_halted_guest() throws Exception {
        assumeX86Host();
        RunningVm vm = new KvmBackend().start(x86Guest(CLI_HLT), ConsoleListener.DISCARD);
        assertThat(vm.awaitExit(Duration.ofMillis(300))).as("still halted").isEmpty();
        long t0 = System.nanoTime();
        vm.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(KvmRunningVm.JOIN_TIMEOUT);
        assertThat(vm.exit()).get().isInstanceOf(VmExit.Stopped.class);
        vm.close(); // idempotent
    }

    @Test
    void arm64_writes_ok_to_the_pl011_and_powers_off_through_psci() throws Exception {
        assumeTrue(Arch.host() == Arch.AARCH64, "the PL011/PSCI guest is aarch64; this host is " + Arch.host());
        Console console = new Console();
        try (RunningVm vm = new KvmBackend().start(arm64Guest(ARM64_HELLO_POWER_OFF), console)) {
            Optional<VmExit> exit = vm.awaitExit(Duration.ofSeconds(20));
            assertThat(exit).as("exit within 20 s; console so far: %s", console.text())
                    .contains(new VmExit.PoweredOff());
        }
        assertThat(console.text()).isEqualTo("OK");
    }
}
