package dev.linuxvm.junit;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11, "nothing is lost": {@link SerialConsole#exec} returns everything the command printed
 * or says loudly that it cannot. Output longer than the console window has lost its start from
 * memory by the time the end marker arrives; returning the rest as if it were all would be a
 * silent loss.
 */
class ExecOutputWindowTest {
    static final int CAPACITY = 1024; // the smallest window ConsoleBuffer accepts
    private static final Pattern NONCE = Pattern.compile("printf '__LVM_%s_B__\\\\n' ([0-9a-f]+);");

    @TempDir
    Path dir;
    private final ByteArrayOutputStream typed = new ByteArrayOutputStream();

    /** A guest that answers one exec with {@code output} between the markers (no echo: not needed here). */
    private SerialConsole consoleAnswering(String output) {
        Path log = dir.resolve("console.log");
        ConsoleBuffer buffer = new ConsoleBuffer(CAPACITY, log);
        CompletableFuture.runAsync(() -> {
            String nonce = null;
            while (nonce == null) {
                Matcher m = NONCE.matcher(typed.toString(StandardCharsets.UTF_8));
                nonce = m.find() ? m.group(1) : null;
                Thread.onSpinWait();
            }
            while (buffer.searchesInProgress() == 0) {
                Thread.onSpinWait(); // exec waits for the begin marker: answer only now, as a guest answers later
            }
            byte[] b = ("__LVM_" + nonce + "_B__\r\n" + output + "__LVM_" + nonce + "_E_0__\r\n~ # ")
                    .getBytes(StandardCharsets.UTF_8);
            for (int off = 0; off < b.length; off += 100) { // in pieces, as a UART delivers it
                buffer.onOutput(b, off, Math.min(100, b.length - off));
            }
        });
        return new SerialConsole(buffer, new SerialConsole.Wiring(typed, () -> "running", dir, log, TimeoutScale.none()))
                .within(ofSeconds(10));
    }

    @Test
    void output_that_fits_the_window_is_returned_whole() {
        String output = "line\r\n".repeat(100); // 600 chars
        ExecResult r = consoleAnswering(output).exec("print-100-lines");
        assertThat(r.output()).isEqualTo("line\n".repeat(99) + "line");
    }

    @Test
    void output_longer_than_the_window_fails_loudly_and_points_at_console_log() throws Exception {
        StringBuilder output = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            output.append("line ").append(i).append("\r\n"); // about 4,400 chars
        }
        SerialConsole console = consoleAnswering(output.toString());

        assertThatThrownBy(() -> console.exec("print-500-lines"))
                .isInstanceOf(ConsoleException.class)
                .hasMessageContaining("`print-500-lines`")
                .hasMessageContaining("console window of " + CAPACITY + " chars")
                .hasMessageContaining(dir.resolve("console.log").toString())
                .hasMessageContaining(LinuxVmExtension.BUFFER_PROPERTY);
        // console.log has it all
        assertThat(Files.readString(dir.resolve("console.log"))).contains("] line 0\n").contains("] line 499\n");
    }
}
