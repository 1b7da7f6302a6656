package dev.linuxvm.samples;

import static dev.linuxvm.junit.LinuxVmAssertions.assertThat;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.junit.LinuxVm;
import dev.linuxvm.junit.SerialConsole;
import org.junit.jupiter.api.Test;

/** The smallest useful test: a fresh guest of the host's architecture for each test method. */
// tag::minimal[]
@LinuxVm
class MinimalTest {

    @Test
    void runsACommandInTheGuest(SerialConsole console, Arch arch) {
        assertThat(console.exec("uname -m")).succeeded().hasOutput(arch.unameMachine());
    }
}
// end::minimal[]
