package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.VmExit;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.linuxvm.engine.kvm.SmokeGuests.x86Guest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue #11: a guest that resets at once is reported as {@link VmExit.Reset}, not restarted, so a
 * kernel that reboots in a loop (panic=-1 after an early panic) ends its test instead of running
 * it forever. The guest prints one character before it resets: a second character would mean
 * the VMM had entered it again.
 */
@EnabledIfKvm
class KvmResetTest {
    /** "R" to COM1, then a CPU reset through the reset control register (FADT RESET_REG). */
    static final byte[] PRINT_R_THEN_RESET = {
            0x66, (byte) 0xBA, (byte) 0xF8, 0x03,       // mov    $0x3f8,%dx
            (byte) 0xB0, 0x52,                          // mov    $'R',%al
            (byte) 0xEE,                                // out    %al,(%dx)
            0x66, (byte) 0xBA, (byte) 0xF9, 0x0C,       // mov    $0xcf9,%dx    (X86Layout.RESET_PORT)
            (byte) 0xB0, 0x06,                          // mov    $0x6,%al      (SYS_RST | RST_CPU, the FADT's RESET_VALUE)
            (byte) 0xEE,                                // out    %al,(%dx)
            (byte) 0xF4,                                // hlt
            (byte) 0xEB, (byte) 0xFD,                   // jmp    <hlt>
    };

    @Test
    void a_guest_that_resets_ends_as_reset_and_is_not_entered_again() throws Exception {
        assumeTrue(Arch.host() == Arch.X86_64, "the hand-assembled guest is x86_64; this host is " + Arch.host());
        KvmSmokeTest.Console console = new KvmSmokeTest.Console();
        try (RunningVm vm = new KvmBackend().start(x86Guest(PRINT_R_THEN_RESET), console)) {
            assertThat(vm.awaitExit(Duration.ofSeconds(20))).as("exit; console %s", console.text())
                    .contains(new VmExit.Reset());
            Thread.sleep(500); // a VMM that re-entered the guest would print again by now
            assertThat(vm.exit()).contains(new VmExit.Reset());
        }
        assertThat(console.text()).as("console: the guest ran once").isEqualTo("R");
    }
}
