package dev.linuxvm.samples;

import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.linuxvm.junit.LinuxVmAssertions.assertThat;

import dev.linuxvm.junit.ConsoleException;
import dev.linuxvm.junit.GuestArch;
import dev.linuxvm.junit.LinuxVm;
import dev.linuxvm.junit.LinuxVmHandle;
import dev.linuxvm.junit.SerialConsole;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue #11 on a real guest (the provisioned Debian kernel and busybox): a console flood reaches
 * console.log byte for byte, a guest that falls silent times out with its last lines, and a
 * guest that resets ends its session as RESET instead of booting again. The 200 MB flood runs
 * without a guest in junit-extension's ConsoleFloodTest; under TCG a guest prints only a few
 * hundred KB a second, so the real flood here is {@value #FLOOD_BYTES} bytes.
 */
@LinuxVm(arch = GuestArch.X86_64)
class NothingIsLostTest {
    /** Bytes the guest prints: more than the console window's default 4 Mi chars, so it is trimmed while it runs. */
    static final long FLOOD_BYTES = 5_000_000;
    /** "[    1.234567] ": the timestamp before each line of console.log. */
    static final Pattern STAMP = Pattern.compile("^\\[ *\\d+\\.\\d{6}\\] ");
    /** One line of the guest kernel's own log: its printk timestamp to the end of the line. */
    static final Pattern PRINTK = Pattern.compile("\\[ *\\d+\\.\\d{6}\\] [^\\n]*\\n");
    /** What {@code yes 0123456789abcde} prints: 16 bytes a line. */
    static final String FLOOD_LINE = "0123456789abcde\n";

    @Test
    void a_five_megabyte_flood_reaches_console_log_whole_and_the_marker_after_it_is_found(SerialConsole console)
            throws IOException {
        // 16 bytes a line: "0123456789abcde" and LF; '' keeps the echoed command from matching the marker
        console.sendLine("yes 0123456789abcde | head -c " + FLOOD_BYTES + "; echo FLOOD''-DONE");
        long t0 = System.nanoTime();
        console.within(ofMinutes(2)).expect("FLOOD-DONE");
        long ms = (System.nanoTime() - t0) / 1_000_000;

        // The kernel may print in the middle of the flood, even inside one of its lines (printk
        // does not wait for a line end; "clocksource: Switched to clocksource tsc" did): take the
        // guest's own timestamped kernel lines out, then the flood must be there whole, unbroken.
        StringBuilder log = new StringBuilder();
        for (String line : Files.readAllLines(console.logFile())) {
            log.append(STAMP.matcher(line).replaceFirst("")).append('\n');
        }
        String text = PRINTK.matcher(log).replaceAll("");
        int first = text.indexOf(FLOOD_LINE);
        int last = text.lastIndexOf(FLOOD_LINE);
        assertThat(first).as("a flood line in console.log").isNotNegative();
        String flood = text.substring(first, last + FLOOD_LINE.length());
        System.out.printf(Locale.ROOT, "real guest flood: %,d bytes in %,d ms; console.log has %,d flood bytes%n",
                FLOOD_BYTES, ms, flood.length());
        assertThat(flood.length()).as("flood bytes in console.log, kernel lines taken out").isEqualTo(FLOOD_BYTES);
        assertThat(flood.replace(FLOOD_LINE, "")).as("anything but flood lines inside the flood").isEmpty();
        assertThat(text.substring(last + FLOOD_LINE.length())).startsWith("FLOOD-DONE\n");
        assertThat(console.exec("echo still-here")).succeeded().hasOutput("still-here");
    }

    @Test
    void a_guest_that_falls_silent_times_out_with_its_last_lines(SerialConsole console) {
        // exec: the shell becomes sleep, so not even a prompt follows the last words
        console.sendLine("echo last-words-before-silence; exec sleep 100000");
        console.within(ofSeconds(30)).expect("last-words-before-silence\r\n");
        SerialConsole shortWait = console.within(ofSeconds(1));

        assertThatThrownBy(() -> shortWait.expect("anything at all"))
                .isInstanceOfSatisfying(ConsoleException.Timeout.class, e -> {
                    assertThat(e.getMessage()).contains("Timed out waiting for \"anything at all\"")
                            .contains("VM state: running").contains("| last-words-before-silence");
                    assertThat(e.tail().lines()).contains("last-words-before-silence");
                });
    }

    @Test
    void a_guest_that_resets_ends_as_reset_and_does_not_boot_again(SerialConsole console, LinuxVmHandle vm)
            throws InterruptedException {
        console.sendLine("reboot -f");
        vm.awaitExit(ofSeconds(60));
        assertThat(vm.state()).as("state after reboot -f; console: %s", console.tail(5)).isEqualTo(LinuxVmHandle.State.RESET);

        Thread.sleep(2000); // a VMM that restarted the guest would be printing a second boot by now
        assertThat(vm.state()).isEqualTo(LinuxVmHandle.State.RESET);
        assertThat(console.lines().filter(l -> l.contains("Linux version"))).as("kernel banners").hasSize(1);
        // and a wait on the ended guest says so at once instead of timing out
        assertThatThrownBy(() -> console.within(ofSeconds(30)).expect("a line no guest prints"))
                .isInstanceOf(ConsoleException.VmEnded.class)
                .hasMessageContaining("reset");
    }
}
