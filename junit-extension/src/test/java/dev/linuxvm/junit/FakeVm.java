package dev.linuxvm.junit;

import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.VmExit;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted guest: writes console output from its own thread, echoes input like a tty (with
 * CR LF) and answers lines through a tiny shell that knows printf, eval, echo, uname -m,
 * cat /proc/cmdline, ktap-demo (KTAP with a pass, a failure and a skip), dmesg (alone or as {@code dmesg | grep -c -e A -e B}), true, false,
 * poweroff -f and the sysrq crash trigger.
 */
final class FakeVm implements RunningVm {
    /** Where the echo of a typed line wraps, as busybox ash does at the terminal width. */
    static final int ECHO_WIDTH = 80;

    private final ConsoleListener out;
    private final String arch;
    private final String cmdline;
    private final ExecutorService guestThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-guest");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<VmExit> exit = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final ByteArrayOutputStream pendingLine = new ByteArrayOutputStream();
    private final List<String> kernelLog = new ArrayList<>();
    private int status;
    /** A kernel message for the next answer: {after, message}, see {@link #interleaveNext}. */
    private final AtomicReference<String[]> interleave = new AtomicReference<>();
    private final Runnable onClose;
    private final AtomicBoolean closedOnce = new AtomicBoolean();

    FakeVm(ConsoleListener out, String arch, String cmdline, Runnable onClose) {
        this.out = out;
        this.arch = arch;
        this.cmdline = cmdline;
        this.onClose = onClose;
    }

    /** Writes {@code text} from the guest thread, in chunks of {@code chunk} bytes. */
    void emit(String text) {
        guestThread.execute(() -> {
            if (exit.get() == null) {
                byte[] b = text.getBytes(StandardCharsets.UTF_8);
                out.onOutput(b, 0, b.length);
            }
        });
    }

    /** A kernel log line: on the console and in what dmesg prints. */
    private void printk(String line) {
        kernelLog.add(line);
        emit(line + "\r\n");
    }

    void boot() {
        printk("[    0.000000] Linux version 6.1.0-fake (" + arch + ")");
        printk("[    0.000000] Command line: " + cmdline);
        if (cmdline.contains("fake.panic-at-boot")) {
            printk("[    0.512345] Kernel panic - not syncing: VFS: Unable to mount root fs");
            printk("[    0.512400] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0-fake #1");
            return;
        }
        if (cmdline.contains("fake.hang")) {
            return;
        }
        printk("[    0.900000] Run /init as init process");
        emit("linuxvm: userspace ready\r\n~ # ");
    }

    /**
     * Puts {@code message} (a kernel line, with its own CRLF) into the next answer right after the
     * first {@code after} past the echoed command line, as the kernel writes a late message into
     * a line a process is printing.
     */
    void interleaveNext(String after, String message) {
        interleave.set(new String[] {after, message});
    }

    void end(VmExit how) {
        if (exit.compareAndSet(null, how)) {
            ended.countDown();
        }
    }

    @Override
    public OutputStream consoleInput() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (pendingLine) {
                    if (b == '\n') {
                        String line = pendingLine.toString(StandardCharsets.UTF_8);
                        pendingLine.reset();
                        guestThread.execute(() -> answer(line));
                    } else {
                        pendingLine.write(b);
                    }
                }
            }
        };
    }

    private void answer(String line) {
        if (exit.get() != null) {
            return;
        }
        // The echo, wrapped the way busybox ash wraps a long input line at the terminal width
        // (seen on a real guest: "uname -\r\r\nm").
        StringBuilder o = new StringBuilder();
        for (int i = 0; i < line.length(); i += ECHO_WIDTH) {
            o.append(line, i, Math.min(line.length(), i + ECHO_WIDTH)).append(i + ECHO_WIDTH < line.length() ? "\r\r\n" : "");
        }
        o.append("\r\n");
        run(line, o);
        if (exit.get() == null) {
            o.append("~ # ");
        }
        String text = o.toString().replace("\r\n", "\n").replace("\n", "\r\n");
        String[] k = interleave.getAndSet(null);
        if (k != null) {
            Matcher echoEnd = Pattern.compile("(?<!\r)\r\n").matcher(text); // not a wrap's \r\r\n
            int at = echoEnd.find() ? text.indexOf(k[0], echoEnd.end()) : -1;
            if (at < 0) {
                throw new IllegalStateException("no \"" + k[0] + "\" in the answer to interleave a message after: " + text);
            }
            at += k[0].length();
            text = text.substring(0, at) + k[1] + "\r\n" + text.substring(at);
        }
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        out.onOutput(b, 0, b.length);
    }

    private void run(String script, StringBuilder o) {
        for (String command : split(script, ';')) {
            List<String> args = words(command.trim());
            if (args.isEmpty() || exit.get() != null) {
                continue;
            }
            String cmd = args.get(0);
            switch (cmd) {
                case "printf": {
                    String fmt = args.get(1).replace("\\n", "\n");
                    StringBuilder r = new StringBuilder();
                    int a = 2;
                    for (int i = 0; i < fmt.length(); i++) {
                        char c = fmt.charAt(i);
                        if (c == '%' && i + 1 < fmt.length()) {
                            r.append(args.get(a++));
                            i++;
                        } else {
                            r.append(c);
                        }
                    }
                    o.append(r);
                    status = 0;
                    break;
                }
                case "eval":
                    run(String.join(" ", args.subList(1, args.size())), o);
                    break;
                case "echo":
                    if (command.contains("> /proc/sysrq-trigger")) {
                        o.append("[   12.000000] sysrq: Trigger a crash\n");
                        o.append("[   12.000100] Kernel panic - not syncing: sysrq triggered crash\n");
                        o.append("[   12.000200] Call Trace:\n");
                        byte[] b = o.toString().replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
                        out.onOutput(b, 0, b.length);
                        o.setLength(0);
                        end(new VmExit.Crashed("kernel panic"));
                        return;
                    }
                    o.append(String.join(" ", args.subList(1, args.size()))).append('\n');
                    status = 0;
                    break;
                case "dmesg":
                    dmesg(args, o);
                    break;
                case "uname":
                    o.append(arch).append('\n');
                    status = 0;
                    break;
                case "cat":
                    if (args.get(1).equals("/proc/cmdline")) {
                        o.append(cmdline).append('\n');
                        status = 0;
                    } else {
                        o.append("cat: can't open '").append(args.get(1)).append("': No such file or directory\n");
                        status = 1;
                    }
                    break;
                case "ktap-demo": // a test program with one passing, one failing and one skipped case
                    o.append("KTAP version 1\n1..3\nok 1 passes\n# expected 42, got 41\nnot ok 2 fails\n"
                            + "ok 3 skipped # SKIP needs hardware\n");
                    status = 1;
                    break;
                case "true":
                    status = 0;
                    break;
                case "false":
                    status = 1;
                    break;
                case "poweroff":
                    o.append("[   13.000000] reboot: Power down\n");
                    byte[] b = o.toString().replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
                    out.onOutput(b, 0, b.length);
                    o.setLength(0);
                    end(new VmExit.PoweredOff());
                    return;
                default:
                    o.append("sh: ").append(cmd).append(": not found\n");
                    status = 127;
            }
        }
    }

    /** {@code dmesg} prints the kernel log; {@code dmesg | grep -c -e A -e B} counts its lines with A or B. */
    private void dmesg(List<String> args, StringBuilder o) {
        if (args.size() == 1) {
            kernelLog.forEach(l -> o.append(l).append('\n'));
            status = 0;
            return;
        }
        if (!args.subList(1, 4).equals(List.of("|", "grep", "-c"))) {
            throw new UnsupportedOperationException("the fake shell cannot run " + args);
        }
        List<String> patterns = new ArrayList<>();
        for (int i = 4; i + 1 < args.size(); i += 2) {
            if (!args.get(i).equals("-e")) {
                throw new UnsupportedOperationException("the fake grep takes only -e PATTERN: " + args);
            }
            patterns.add(args.get(i + 1));
        }
        long count = kernelLog.stream().filter(l -> patterns.stream().anyMatch(l::contains)).count();
        o.append(count).append('\n');
        status = count > 0 ? 0 : 1; // grep: 1 when no line matched
    }

    /** Splits on {@code sep} outside single quotes. */
    private static List<String> split(String s, char sep) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : s.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
            }
            if (c == sep && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    /** Shell words: single quotes (with '\'' escapes) group, $? expands. */
    private List<String> words(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '\'') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '\'') {
                quoted = true;
                any = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                cur.append(s.charAt(++i));
                any = true;
            } else if (c == ' ') {
                if (any) {
                    words.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '?') {
                cur.append(status);
                i++;
                any = true;
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any) {
            words.add(cur.toString());
        }
        return words;
    }

    @Override
    public Optional<VmExit> exit() {
        return Optional.ofNullable(exit.get());
    }

    @Override
    public Optional<VmExit> awaitExit(Duration timeout) throws InterruptedException {
        ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        return exit();
    }

    @Override
    public void close() {
        end(new VmExit.Stopped("closed by the test"));
        guestThread.shutdownNow();
        if (closedOnce.compareAndSet(false, true)) {
            onClose.run();
        }
    }

    boolean closed() {
        return exit.get() instanceof VmExit.Stopped || guestThread.isShutdown();
    }
}
