package dev.linuxvm.samples;

import static dev.linuxvm.junit.LinuxVmAssertions.assertThat;

import dev.linuxvm.junit.GuestFile;
import dev.linuxvm.junit.LinuxVm;
import dev.linuxvm.junit.LinuxVmHandle;
import dev.linuxvm.junit.SerialConsole;
import dev.linuxvm.junit.ktap.KtapDocument;
import dev.linuxvm.junit.ktap.KtapDynamicTests;
import dev.linuxvm.junit.ktap.KtapStatus;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

// tag::ktap-program[]
@LinuxVm
@GuestFile(host = "src/test/resources/ktap/prog.sh", guest = "/opt/prog.sh", mode = 0755)
class KtapProgramTest {

    @TestFactory
    Stream<DynamicNode> theProgramsKtapCases(SerialConsole console) {
        return console.ktapTests("/opt/prog.sh");
    }
    // end::ktap-program[]

    @Test
    void theFileIsPlacedWithItsMode(SerialConsole console) {
        assertThat(console.exec("stat -c '%a %s' /opt/prog.sh")).succeeded().outputContains("755 ");
    }

    // tag::ktap-file[]
    @Test
    void savedKtapOutputIsReadBack(SerialConsole console, LinuxVmHandle vm) {
        console.exec("/opt/prog.sh > /tmp/results.ktap");

        KtapDocument results = vm.ktapFile("/tmp/results.ktap");

        org.assertj.core.api.Assertions.assertThat(results.cases()).extracting(r -> r.status())
                .containsExactly(KtapStatus.PASS, KtapStatus.SKIP, KtapStatus.TODO);
        org.assertj.core.api.Assertions.assertThat(results.passed()).isTrue();
    }
    // end::ktap-file[]

    @Test
    void theBootPrintedNoKtap(SerialConsole console) {
        // No KUnit in the provisioned kernel: the boot transcript holds no KTAP document.
        org.assertj.core.api.Assertions.assertThat(console.bootKtap().version()).isEmpty();
        org.assertj.core.api.Assertions.assertThat(KtapDynamicTests.from(console.bootKtap())).hasSize(1); // the problems test
    }
}
