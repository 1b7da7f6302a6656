package dev.linuxvm.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

class LabConsoleTest {
    @Test
    void a_timed_out_wait_names_where_the_vcpu_threads_are() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch parked = new CountDownLatch(1);
        Thread vcpu = new Thread(() -> {
            parked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lab-test-vcpu-0");
        vcpu.start();
        parked.await();
        try {
            LabConsole console = new LabConsole("t", new PrintStream(OutputStream.nullOutputStream()));
            LabFailure failure = assertThrows(LabFailure.class, () -> console.await("never printed", Duration.ofMillis(50)));
            List<String> report = failure.details();

            assertThat(failure.guestLost()).as("a silent guest is a lost guest").isTrue();

            assertThat(report).anyMatch(l -> l.startsWith("thread lab-test-vcpu-0: "));
            assertThat(report).anyMatch(l -> l.contains("java.util.concurrent.CountDownLatch.await("));
            // the JVM names the native thread after the Java one (15 characters): the kernel's view of it
            assertThat(report).anyMatch(l -> l.startsWith("task ") && l.contains("(lab-test-vcpu-0): wchan "));
        } finally {
            release.countDown();
            vcpu.join();
        }
    }

    @Test
    void a_marker_with_a_kernel_message_inside_it_is_found_and_the_cursor_moves_past_it() throws Exception {
        LabConsole console = new LabConsole("t", new PrintStream(OutputStream.nullOutputStream()));
        byte[] out = ("linuxvm: userspace ready\r\nlinuxvm: ex[    9.000000] clocksource: Switched to clocksource tsc\r\n"
                + "it 7\r\n").getBytes(StandardCharsets.ISO_8859_1);
        console.onOutput(out, 0, out.length);
        console.await("linuxvm: userspace ready", Duration.ofSeconds(5));
        console.await("linuxvm: exit 7", Duration.ofSeconds(5));
        LabFailure failure = assertThrows(LabFailure.class, () -> console.await("linuxvm: exit 7", Duration.ofMillis(20)));
        assertThat(failure.getMessage()).contains("no \"linuxvm: exit 7\" within");
    }
}
