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

    @Test
    void a_five_megabyte_flood_reaches_console_log_whole_and_the_marker_after_it_is_found(SerialConsole console)
            throws IOException {
        // 16 bytes a line: "0123456789abcde" and LF; '' keeps the echoed command from matching the marker
        console.sendLine("yes 0123456789abcde | head -c " + FLOOD_BYTES + "; echo FLOOD''-DONE");
        long t0 = System.nanoTime();
        console.within(ofMinutes(2)).expect("FLOOD-DONE");
        long ms = (System.nanoTime() - t0) / 1_000_000;

        List<String> lines = Files.readAllLines(console.logFile());
        int first = -1;
        int last = -1;
        for (int i = 0; i < lines.size(); i++) {
            String text = STAMP.matcher(lines.get(i)).replaceFirst("");
            if (text.equals("0123456789abcde")) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        long floodLines = last - first + 1;
        System.out.printf(Locale.ROOT, "real guest flood: %,d bytes in %,d ms; console.log has %,d flood lines%n",
                FLOOD_BYTES, ms, floodLines);
        assertThat(floodLines).as("consecutive flood lines in console.log").isEqualTo(FLOOD_BYTES / 16);
        assertThat(lines.subList(first, last + 1))
                .allSatisfy(l -> assertThat(STAMP.matcher(l).replaceFirst("")).isEqualTo("0123456789abcde"));
        assertThat(STAMP.matcher(lines.get(last + 1)).replaceFirst("")).isEqualTo("FLOOD-DONE");
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
