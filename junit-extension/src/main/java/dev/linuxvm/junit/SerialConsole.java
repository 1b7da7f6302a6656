package dev.linuxvm.junit;

import dev.linuxvm.junit.ktap.KtapDocument;
import dev.linuxvm.junit.ktap.KtapDynamicTests;
import dev.linuxvm.junit.ktap.KtapParser;
import dev.linuxvm.kernels.ConsoleInterleaving;
import dev.linuxvm.kernels.GuestInitramfs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;

/**
 * The guest's serial console, seen from the test thread.
 *
 * <p>Instances are immutable views over one shared console: {@link #within(Duration)} and
 * {@link #failFastOn(String...)} return new views, so
 * {@code console.within(ofSeconds(30)).failFastOn("Kernel panic").expect("~ #")} never changes
 * {@code console} itself. All views share one read cursor: {@link #expect} and {@link #exec}
 * consume the output up to the end of what they matched; the next expectation starts there.
 *
 * <p>Timeouts given here are multiplied by the executor's {@link TimeoutScale} (TCG ×4,
 * times {@code -Dlinuxvm.timeout.factor}). Memory is bounded: the window keeps the last few
 * MiB; {@link #logFile()} has everything, with a timestamp per line.
 */
public final class SerialConsole {
    /** Default expectation timeout before scaling. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Markers that abort any wait unless replaced with {@link #failFastOn(String...)}: the starts
     * of the lines Linux prints when it panics or oopses on x86_64 and arm64 (6.1 sources).
     * <ul>
     *   <li>{@code Kernel panic} - "Kernel panic - not syncing: ..." (kernel/panic.c), both arches;</li>
     *   <li>{@code BUG:} - "BUG: unable to handle page fault ...", "BUG: kernel NULL pointer
     *       dereference ..." (arch/x86/mm/fault.c), "BUG: KASAN: ..." (mm/kasan/report.c),
     *       "BUG: scheduling while atomic ..." (kernel/sched/core.c);</li>
     *   <li>{@code Oops} - x86's die header "Oops: 0002 [#1] PREEMPT SMP" (arch/x86/kernel/dumpstack.c);</li>
     *   <li>{@code Internal error: Oops} - arm64's die header "Internal error: Oops: 0000000096000045 [#1] ..."
     *       and "Internal error: Oops - BUG: ..." (arch/arm64/kernel/traps.c);</li>
     *   <li>{@code KASAN:} - x86's "KASAN: null-ptr-deref in range [...]" before a general protection fault;</li>
     *   <li>{@code Call Trace:} - x86's stack dump (any oops, WARN or hung task; arm64 prints
     *       "Call trace:", which is not a default);</li>
     *   <li>{@code watchdog: BUG:} - "watchdog: BUG: soft lockup - CPU#0 stuck for 22s!" (kernel/watchdog.c).</li>
     * </ul>
     * How a line is matched is described at {@link #failFastOn(String...)}.
     */
    public static final List<String> DEFAULT_FAIL_FAST = List.of(
            "Kernel panic", "BUG:", "Oops", "Internal error: Oops", "KASAN:", "Call Trace:", "watchdog: BUG:");
    /** Console lines quoted in failure messages. */
    public static final int TAIL_LINES = 40;
    /**
     * How far back (in chars) a {@link Pattern} search reaches into text it has already
     * searched, so a match that spans two writes is still found; rounded down to a line start.
     */
    static final int PATTERN_LOOKBACK = 4096;
    /**
     * A pattern match that touches the end of the output so far (for example {@code \\d+} or a
     * multi-line {@code $}) could grow with the next write; it is accepted once no more output
     * arrives for this long. Text that is still arriving wakes the wait at once.
     */
    static final Duration SETTLE = Duration.ofMillis(50);
    /**
     * How long a wait that met a fail-fast marker on an unfinished line gives the rest of that
     * line to arrive, so that the failure quotes it whole (the kernel writes a line in one go,
     * but the console delivers it in pieces).
     */
    static final Duration FAIL_LINE_WAIT = Duration.ofMillis(500);

    private static final SecureRandom NONCES = new SecureRandom();

    /** What all views of one guest share besides the buffer. */
    static final class Wiring {
        final OutputStream input;
        final Supplier<String> vmState;
        final Path reportDir;
        final Path logFile;
        final TimeoutScale scale;

        Wiring(OutputStream input, Supplier<String> vmState, Path reportDir, Path logFile, TimeoutScale scale) {
            this.input = input;
            this.vmState = vmState;
            this.reportDir = reportDir;
            this.logFile = logFile;
            this.scale = scale;
        }
    }

    private final ConsoleBuffer buffer;
    private final Wiring wiring;
    private final Duration timeout;
    private final List<String> failFast;

    SerialConsole(ConsoleBuffer buffer, Wiring wiring) {
        this(buffer, wiring, DEFAULT_TIMEOUT, DEFAULT_FAIL_FAST);
    }

    private SerialConsole(ConsoleBuffer buffer, Wiring wiring, Duration timeout, List<String> failFast) {
        this.buffer = buffer;
        this.wiring = wiring;
        this.timeout = timeout;
        this.failFast = failFast;
    }

    // ---- configuration (immutable views) -------------------------------------------------

    /** A view whose waits last {@code timeout} (before executor scaling). */
    public SerialConsole within(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return new SerialConsole(buffer, wiring, timeout, failFast);
    }

    /**
     * A view that aborts waits on exactly these markers (replacing the defaults; none disables fail-fast).
     *
     * <p>A marker fails a wait when a console line after the read cursor (for the boot wait and
     * {@link #awaitAnywhere}: anywhere in the window) <em>starts</em> with it, after an optional
     * printk prefix: the time {@code [    6.108436] }, with CONFIG_PRINTK_CALLER also the caller
     * {@code [    T1] }. So {@code [    6.108436] Kernel panic - not syncing: ...} fails the wait,
     * while a marker inside a line, such as {@code grep -c -e 'BUG:'}, does not. A line that is a
     * piece of what was sent through {@link #send}, {@link #sendLine} or {@link #exec} (the
     * terminal's echo, including the continuation lines busybox ash makes when it wraps a long
     * input line) never fails a wait, even when it starts with a marker; a line of guest output
     * that repeats typed text word for word counts as echo too.
     */
    public SerialConsole failFastOn(String... markers) {
        for (String m : markers) {
            if (m.isEmpty()) {
                throw new IllegalArgumentException("an empty fail-fast marker would match everything");
            }
        }
        return new SerialConsole(buffer, wiring, timeout, List.of(markers));
    }

    /** A view with the default markers plus {@code more}. */
    public SerialConsole alsoFailFastOn(String... more) {
        List<String> all = new ArrayList<>(failFast);
        all.addAll(Arrays.asList(more));
        return failFastOn(all.toArray(String[]::new));
    }

    /** The timeout this view waits, after scaling for the executor. */
    public Duration effectiveTimeout() {
        return wiring.scale.apply(timeout);
    }

    public List<String> failFastMarkers() {
        return failFast;
    }

    // ---- waiting ---------------------------------------------------------------------------

    /** Waits for {@code literal} after the read cursor; consumes through the match. */
    public Match expect(String literal) {
        Objects.requireNonNull(literal, "literal");
        if (literal.isEmpty()) {
            throw new IllegalArgumentException("cannot expect the empty string");
        }
        return await(literalFinder(literal), "\"" + literal + "\"", true, false);
    }

    /** Waits for a match of {@code pattern} after the read cursor; consumes through the match. */
    public Match expect(Pattern pattern) {
        return await(patternFinder(pattern), "pattern /" + pattern.pattern() + "/", true, false);
    }

    /**
     * Waits until {@code literal} appears anywhere in the retained transcript, without moving
     * the read cursor (used by "eventually contains" assertions and the boot wait).
     */
    public Match awaitAnywhere(String literal) {
        return await(literalFinder(literal), "\"" + literal + "\"", false, true);
    }

    /**
     * {@link #awaitAnywhere(String)} for a marker our own guest prints, such as
     * {@value GuestInitramfs#READY_MARKER}: also found when kernel messages landed inside it
     * ({@link ConsoleInterleaving}).
     */
    Match awaitMarkerAnywhere(String marker) {
        return await(markerFinder(marker), "\"" + marker + "\"", false, true);
    }

    /** Sends {@code line} and a newline to the guest. */
    public void sendLine(String line) {
        send(line + "\n");
    }

    /** Sends raw text (no newline added). */
    public void send(String text) {
        buffer.noteTyped(text); // before the guest can echo it
        try {
            wiring.input.write(text.getBytes(StandardCharsets.UTF_8));
            wiring.input.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the guest console (VM state: " + wiring.vmState.get() + ")", e);
        }
    }

    /**
     * Runs {@code command} in the guest shell and returns its output and exit status.
     *
     * <p>The terminal echoes what we send, so the result is delimited by two markers that only
     * the shell's {@code printf} can produce: the command line carries {@code '__LVM_%s_B__'}
     * and the nonce as separate arguments, so the echoed line never contains the joined
     * {@code __LVM_<nonce>_B__}. The command runs through {@code eval} with single quotes
     * escaped, so pipes, {@code &&} and a trailing {@code &} work as typed.
     */
    public ExecResult exec(String command) {
        String nonce = HexFormat.of().formatHex(randomBytes(6));
        String quoted = "'" + command.replace("'", "'\\''") + "'";
        sendLine("printf '__LVM_%s_B__\\n' " + nonce + "; eval " + quoted
                + "; printf '__LVM_%s_E_%d__\\n' " + nonce + " $?");
        String what = "the result of `" + command + "`";
        // A kernel message may land inside a marker or the output (ConsoleInterleaving): the
        // markers match with messages between their characters, and those come out of the result.
        String k = ConsoleInterleaving.MESSAGE_REGEX + "*";
        Match begin = await(patternFinder(Pattern.compile(ConsoleInterleaving.tolerantRegex("__LVM_" + nonce + "_B__") + k
                + "\r*\n")), what, true, false);
        Match end = await(patternFinder(Pattern.compile(ConsoleInterleaving.tolerantRegex("__LVM_" + nonce + "_E_") + k
                + "(\\d(?:" + k + "\\d)*)" + k + ConsoleInterleaving.tolerantRegex("__"))), what, true, false);
        long outputStart = end.position() - end.before().length();
        long beginEnd = begin.position() + begin.text().length();
        if (outputStart > beginEnd) {
            // The window dropped the start of the output before the end marker came: returning the
            // rest as the whole output would lose the start without a word.
            throw new ConsoleException("The output of `" + command + "` (" + (end.position() - beginEnd)
                    + " chars) outgrew the console window of " + buffer.capacity() + " chars; its first "
                    + (outputStart - beginEnd) + " chars are only in " + wiring.logFile
                    + ". Write large output to a file in the guest and read what you need, or raise "
                    + LinuxVmExtension.BUFFER_PROPERTY + ".", tailText());
        }
        String output = ConsoleInterleaving.withoutMessagesInside(end.before()).replace("\r", "");
        if (output.endsWith("\n")) {
            output = output.substring(0, output.length() - 1);
        }
        return new ExecResult(command, output, Integer.parseInt(ConsoleInterleaving.withoutMessagesInside(end.group(1))));
    }

    /** A fresh marker nonce, as {@link #exec} uses. */
    static String nonce() {
        return HexFormat.of().formatHex(randomBytes(6));
    }

    /**
     * Writes {@code data} to the guest as is, without noting it as typed text: for payloads sent
     * while the terminal does not echo ({@link ConsoleFiles}).
     */
    void sendData(byte[] data) {
        try {
            wiring.input.write(data);
            wiring.input.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the guest console (VM state: " + wiring.vmState.get() + ")", e);
        }
    }

    // ---- KTAP ------------------------------------------------------------------------------

    /**
     * Runs {@code command} (a test program that prints KTAP or TAP) like {@link #exec} and parses
     * its output. The exit status is not judged: the results are; a program that stops half way
     * shows as {@link KtapDocument#problems()}.
     */
    public KtapDocument execKtap(String command) {
        return KtapParser.create().parse(exec(command).output());
    }

    /** {@link #execKtap} as JUnit dynamic tests for a {@code @TestFactory} ({@link KtapDynamicTests#from}). */
    public Stream<DynamicNode> ktapTests(String command) {
        return KtapDynamicTests.from(execKtap(command));
    }

    /**
     * The KTAP document the kernel printed while booting (KUnit's built-in suites run before
     * {@code /init}): the console from its first line to {@value dev.linuxvm.kernels.GuestInitramfs#READY_MARKER}
     * (or to now, if the guest has not printed it). Read from {@link #logFile()} when the
     * in-memory window no longer holds the start.
     */
    public KtapDocument bootKtap() {
        String boot;
        long base;
        try {
            base = buffer.withLock(buffer::base);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsoleException("interrupted while reading the console", tailText());
        }
        if (base == 0 || wiring.logFile == null) {
            boot = text();
        } else {
            try {
                // the log stamps each line with the host's "[%5d.%06d] "; the guest's own stamp follows
                boot = Files.readString(wiring.logFile).replaceAll("(?m)^\\[\\s*\\d+\\.\\d{6}] ", "");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the console log " + wiring.logFile, e);
            }
        }
        Matcher ready = ConsoleInterleaving.tolerant(GuestInitramfs.READY_MARKER).matcher(boot);
        return KtapParser.create().parse(ready.find() ? boot.substring(0, ready.start()) : boot);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        NONCES.nextBytes(b);
        return b;
    }

    // ---- reading ---------------------------------------------------------------------------

    /** The retained console text as received (CR included), oldest part dropped past the window. */
    public String transcript() {
        return buffer.snapshot();
    }

    /** The retained console text with CR removed: what a person would read. Poll it with Awaitility. */
    public String text() {
        return transcript().replace("\r", "");
    }

    /** The retained lines (CR removed), including a trailing partial line such as a prompt. */
    public Stream<String> lines() {
        return text().lines();
    }

    /** The last {@code n} retained lines. */
    public List<String> tail(int n) {
        List<String> all = lines().toList();
        return all.subList(Math.max(0, all.size() - n), all.size());
    }

    /** The first retained line that fails fast on {@code markers} (the rule at {@link #failFastOn}), or null. */
    FailFastRule.Hit firstFailureLine(List<String> markers) {
        try {
            return buffer.withLock(() -> {
                StringBuilder window = buffer.window();
                return FailFastRule.find(window, 0, 0, window.length(), markers, buffer::wasTyped).hit();
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsoleException("interrupted while reading the console", tailText());
        }
    }

    /** The on-disk log with every line since boot, timestamped; null when the console has no log. */
    public Path logFile() {
        return wiring.logFile;
    }

    /** The report directory of this guest (may be null outside the extension). */
    public Path reportDir() {
        return wiring.reportDir;
    }

    /** The VM state as text ("running", "powered off"). */
    public String vmState() {
        return wiring.vmState.get();
    }

    // ---- the wait loop ---------------------------------------------------------------------

    /** Finds the first match in window[from, to); {@code scanned} is where the last search ended. */
    private interface Finder {
        Match find(StringBuilder window, int from, int scanned, int to);

        /** Whether the last successful find read up to the end of the text (the match could still change). */
        default boolean open() {
            return false;
        }

        /** Window index the next search may start from (-1: the end of this search's text). */
        default int resume() {
            return -1;
        }
    }

    private static Finder literalFinder(String literal) {
        return (window, from, scanned, to) -> {
            // Only the last literal.length()-1 chars of already-searched text can start a match.
            int start = Math.max(from, scanned - literal.length() + 1);
            int at = window.indexOf(literal, start);
            if (at < 0 || at + literal.length() > to) {
                return null;
            }
            return new Match(window.substring(from, at), literal, List.of(literal), at);
        };
    }

    /**
     * {@code marker} with any kernel messages inside it ({@link ConsoleInterleaving}), anywhere in
     * [from, to): a {@link #patternFinder} whose first search covers the whole window, since a
     * restored clone's window starts with the boot.
     */
    private static Finder markerFinder(String marker) {
        return patternFinder(ConsoleInterleaving.tolerant(marker), Integer.MAX_VALUE);
    }

    /**
     * Regex search that resumes where no match can start any more: after a failed search that
     * did not touch the end of the text ({@link Matcher#hitEnd()} false), no later output can
     * produce a match starting in the searched region, so the next search starts at its end.
     * When the search did touch the end (a partial match such as {@code "Freeing unused kernel
     * memory: 12"}), the next search starts at the same place again, but never more than
     * {@link #PATTERN_LOOKBACK} chars back (rounded down to a line start): a match longer than
     * that which arrives in pieces may be missed.
     */
    private static Finder patternFinder(Pattern pattern) {
        return patternFinder(pattern, PATTERN_LOOKBACK);
    }

    /** {@link #patternFinder(Pattern)} searching at most {@code lookback} chars before the end of the text. */
    private static Finder patternFinder(Pattern pattern, int lookback) {
        return new Finder() {
            private boolean open;
            private int resume = -1;

            @Override
            public boolean open() {
                return open;
            }

            @Override
            public int resume() {
                return resume;
            }

            @Override
            public Match find(StringBuilder window, int from, int scanned, int to) {
                int start = Math.max(from, scanned);
                if (start < to - lookback) {
                    start = to - lookback;
                    int nl = window.lastIndexOf("\n", start);
                    start = Math.max(from, nl + 1);
                }
                Matcher m = pattern.matcher(window);
                m.useTransparentBounds(true);
                m.useAnchoringBounds(false);
                m.region(start, to);
                if (!m.find()) {
                    resume = m.hitEnd() ? start : to;
                    return null;
                }
                open = m.hitEnd() && m.end() == to;
                List<String> groups = new ArrayList<>();
                for (int g = 0; g <= m.groupCount(); g++) {
                    groups.add(m.group(g));
                }
                return new Match(window.substring(from, m.start()), m.group(), groups, m.start());
            }
        };
    }

    private Match await(Finder finder, String what, boolean consume, boolean fromWindowStart) {
        Duration effective = effectiveTimeout();
        long startNanos = System.nanoTime();
        long deadline = startNanos + effective.toNanos();
        try {
            return buffer.withLock(() -> awaitLocked(finder, what, consume, fromWindowStart, startNanos, effective, deadline));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsoleException("interrupted while waiting for " + what, tailText());
        }
    }

    private Match awaitLocked(Finder finder, String what, boolean consume, boolean fromWindowStart, long startNanos,
            Duration effective, long deadline) throws InterruptedException {
        long from = fromWindowStart ? buffer.base() : buffer.cursor();
        try (ConsoleBuffer.Search search = buffer.beginSearch(from)) {
            return awaitLocked(finder, what, consume, from, startNanos, effective, deadline, search);
        }
    }

    private Match awaitLocked(Finder finder, String what, boolean consume, long from, long startNanos,
            Duration effective, long deadline, ConsoleBuffer.Search search) throws InterruptedException {
        long scanned = from;
        long failScanned = buffer.base() + FailFastRule.lineStart(buffer.window(), (int) (from - buffer.base()));
        long settledEnd = -1;
        long failSeen = 0;
        while (true) {
            StringBuilder window = buffer.window();
            long base = buffer.base();
            if (from < base) {
                from = base; // the window dropped text this wait had not searched yet
            }
            int fromIdx = (int) (from - base);
            int toIdx = window.length();
            int scannedIdx = (int) Math.max(fromIdx, scanned - base);
            Match hit = finder.find(window, fromIdx, scannedIdx, toIdx);
            FailFastRule.Scan scan = FailFastRule.find(window, fromIdx, (int) Math.max(0, failScanned - base), toIdx,
                    failFast, buffer::wasTyped);
            failScanned = base + scan.resume();
            search.searchedTo(base + toIdx);
            FailFastRule.Hit fail = scan.hit();
            boolean accept = hit != null && (fail == null || hit.position() + hit.text().length() <= fail.index());
            if (accept && finder.open() && fail == null && buffer.guestEndReason() == null && settledEnd != base + toIdx) {
                // The match might grow with the next write: give the guest SETTLE to add to it.
                settledEnd = base + toIdx;
                long wait = Math.min(SETTLE.toNanos(), Math.max(0, deadline - System.nanoTime()));
                buffer.awaitChange(wait);
                continue; // search again from the same place (scanned is unchanged)
            }
            if (accept) {
                long absStart = base + hit.position();
                if (consume) {
                    buffer.consumeTo(absStart + hit.text().length());
                }
                return new Match(hit.before(), hit.text(), hit.groups(), absStart);
            }
            if (fail != null && buffer.guestEndReason() == null && window.indexOf("\n", fail.index()) < 0) {
                failSeen = failSeen == 0 ? System.nanoTime() : failSeen;
                long wait = Math.min(FAIL_LINE_WAIT.toNanos() - (System.nanoTime() - failSeen), deadline - System.nanoTime());
                if (wait > 0) {
                    buffer.awaitChange(wait); // the rest of the failing line, then search again
                    continue;
                }
            }
            if (fail != null) {
                if (consume) {
                    buffer.consumeTo(buffer.endPosition());
                }
                throw new ConsoleException.GuestFailure(
                        message("Guest failure (fail-fast marker \"" + fail.marker() + "\") while waiting for " + what,
                                startNanos, effective, "Failing line: " + fail.line()),
                        tailText(), fail.marker(), fail.line());
            }
            scanned = base + (finder.resume() >= 0 ? finder.resume() : toIdx);
            if (buffer.guestEndReason() != null) {
                throw new ConsoleException.VmEnded(
                        message("The guest ended (" + buffer.guestEndReason() + ") while waiting for " + what, startNanos, effective, null),
                        tailText());
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new ConsoleException.Timeout(
                        message("Timed out waiting for " + what, startNanos, effective, null), tailText());
            }
            buffer.awaitChange(remaining);
        }
    }

    private String tailText() {
        return String.join("\n", tail(TAIL_LINES));
    }

    private String message(String headline, long startNanos, Duration effective, String extra) {
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        StringBuilder sb = new StringBuilder(headline).append('\n');
        sb.append("  waited:   ").append(waitedMs).append(" ms of ").append(effective.toMillis())
                .append(" ms (").append(timeout.toMillis()).append(" ms ").append(wiring.scale.describe()).append(")\n");
        sb.append("  VM state: ").append(wiring.vmState.get()).append('\n');
        if (extra != null) {
            sb.append("  ").append(extra).append('\n');
        }
        if (wiring.reportDir != null) {
            sb.append("  report:   ").append(wiring.reportDir).append('\n');
        }
        List<String> tail = tail(TAIL_LINES);
        sb.append("  last ").append(tail.size()).append(" console lines:\n");
        for (String l : tail) {
            sb.append("  | ").append(l).append('\n');
        }
        return sb.toString();
    }
}
