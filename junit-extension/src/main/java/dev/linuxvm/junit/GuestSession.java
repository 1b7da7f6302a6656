package dev.linuxvm.junit;

import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.Snapshot;
import dev.linuxvm.engine.backend.VmExit;
import dev.linuxvm.kernels.ConsoleInterleaving;
import dev.linuxvm.kernels.GuestInitramfs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One launched guest with its console and report directory; closed through the JUnit store.
 *
 * <p>Start-up steps:
 * <ol>
 *   <li>create the report directory (claimed through a {@link GuestSlots.Slot}, so no other running
 *       guest writes there) and the console log, so even a failed launch leaves a log;</li>
 *   <li>launch through the {@link GuestLauncher}; copy the generated artifacts into the directory;</li>
 *   <li>start a watcher thread that ends the console when the guest exits (waits wake at once);</li>
 *   <li>wait for {@value dev.linuxvm.kernels.GuestInitramfs#READY_MARKER} without consuming it, and record the boot time.</li>
 * </ol>
 */
final class GuestSession implements AutoCloseable {
    static final String LOG_FILE = "console.log";
    static final String SUMMARY_FILE = "summary.properties";
    /** Why the first guest of a configuration boots cold ({@link SnapshotTemplates#TEMPLATE_AT_REQUEST}). */
    static final String FIRST_OF_ITS_CONFIGURATION =
            "the first guest of its configuration (the next one makes a snapshot template; later ones restore it)";
    /** The console of a template whose restore failed, kept beside the cold boot's. */
    static final String TEMPLATE_LOG_FILE = "template-console.log";
    /** How long a template's shell prompt may take after the ready marker (scaled like the other waits). */
    static final Duration PROMPT_WAIT = Duration.ofSeconds(10);
    /** How long a clone's shell may take to answer the time and randomness setup (scaled). */
    static final Duration SETUP_WAIT = Duration.ofSeconds(20);
    /** {@value GuestInitramfs#READY_MARKER}, also with kernel messages inside it ({@link ConsoleInterleaving}). */
    private static final Pattern READY = ConsoleInterleaving.tolerant(GuestInitramfs.READY_MARKER);

    private final VmSpec spec;
    private final Path reportDir;
    private ConsoleBuffer buffer;
    private final GuestSlots.Slot slot;
    private LaunchedGuest guest;
    private SerialConsole console;
    private LinuxVmHandle handle;
    private Thread watcher;
    private TimeoutScale scale;
    private long launchNanos;
    private Long bootMillis;
    private String snapshotNote;
    private final Map<String, String> summary = new LinkedHashMap<>();

    private GuestSession(VmSpec spec, Path reportDir, int bufferCapacity, GuestSlots.Slot slot) {
        this.spec = spec;
        this.reportDir = reportDir;
        this.slot = slot;
        this.buffer = new ConsoleBuffer(bufferCapacity, reportDir.resolve(LOG_FILE));
    }

    /** Starts the guest in {@code slot}; the caller releases the slot after {@link #close()}. */
    static GuestSession start(GuestLauncher launcher, VmSpec spec, Path reportDir, int bufferCapacity,
                              GuestSlots.Slot slot, Snapshots snapshots) {
        try {
            Files.createDirectories(reportDir);
            try (Stream<Path> previous = Files.list(reportDir)) { // the listing holds a directory handle
                for (Path old : (Iterable<Path>) previous::iterator) {
                    if (Files.isRegularFile(old)) {
                        Files.delete(old); // a previous run of the same test
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare report directory " + reportDir, e);
        }
        GuestSession s = new GuestSession(spec, reportDir, bufferCapacity, slot);
        try {
            s.launch(launcher, snapshots);
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void launch(GuestLauncher launcher, Snapshots snapshots) {
        summary.put("arch", spec.arch().toString());
        summary.put("mode", spec.mode().displayName());
        summary.put("memory.mib", Integer.toString(spec.memoryMib()));
        summary.put("cpus", Integer.toString(spec.cpus()));
        summary.put("backend.requested", spec.backend().name());
        summary.put("parallel.limit", Integer.toString(slot.limit())); // linuxvm.maxParallelGuests
        summary.put("slot.wait.ms", Long.toString(slot.waitedMillis()));
        if (slot.shared()) {
            summary.put("slot.shared", "true"); // runs on the enclosing per-class guest's slot
        }
        launchNanos = System.nanoTime();
        String coldReason = snapshots.offReason();
        SnapshotTemplates.Entry entry = null;
        if (coldReason == null) {
            Optional<String> key;
            try {
                key = launcher.snapshotKey(spec);
            } catch (VmmException e) {
                buffer.markGuestEnded("launch failed: " + e.getMessage());
                throw new GuestLaunchException(spec, reportDir, e);
            }
            if (key.isEmpty()) {
                coldReason = "the launcher " + launcher.getClass().getSimpleName() + " cannot snapshot guests";
            } else {
                entry = snapshots.templates().lock(key.get()); // waits while another test makes this template
            }
        }
        try {
            if (entry != null && entry.template() != null) {
                coldReason = restore(launcher, entry.template(), false);
            } else if (entry != null && entry.unusable() != null) {
                coldReason = entry.unusable();
            } else if (entry != null && entry.tooEarlyForTemplate()) {
                coldReason = FIRST_OF_ITS_CONFIGURATION;
            } else if (entry != null) {
                coldReason = makeTemplate(launcher, entry);
            }
        } finally {
            if (entry != null) {
                entry.unlock();
            }
        }
        if (coldReason != null) {
            launchCold(launcher, coldReason);
        }
    }

    /** Boots the guest as before snapshots: from launch to {@value GuestInitramfs#READY_MARKER}, saying why in the report. */
    private void launchCold(GuestLauncher launcher, String why) {
        summary.put("snapshot", "cold boot: " + why);
        snapshotNote = "booted cold: " + why;
        LaunchedGuest g;
        try {
            g = launcher.launch(spec, buffer);
        } catch (VmmException e) {
            buffer.markGuestEnded("launch failed: " + e.getMessage());
            throw new GuestLaunchException(spec, reportDir, e);
        }
        attach(g);
        awaitBoot();
    }

    /**
     * Makes this session's guest the template of {@code entry}, then restores this session from
     * it; returns why it boots cold instead, or null. Steps:
     * <ol>
     *   <li>launch for a snapshot into this session's console and wait for the boot as a cold
     *       guest would (a failed boot fails the test exactly as it would without snapshots, and
     *       the configuration's later guests boot cold);</li>
     *   <li>wait for the shell prompt, then let the guest idle until a reseed of its random number
     *       generator is due ({@link #RESEED_DUE}), typing nothing;</li>
     *   <li>snapshot; a guest that cannot be snapshotted runs on as this session's cold guest;</li>
     *   <li>close the template and restore this session's guest from the snapshot.</li>
     * </ol>
     */
    private String makeTemplate(GuestLauncher launcher, SnapshotTemplates.Entry entry) {
        LaunchedGuest template;
        try {
            template = launcher.launchForSnapshot(spec, buffer);
        } catch (UnsupportedOperationException e) {
            entry.markUnusable("snapshots unsupported: " + e.getMessage());
            return entry.unusable();
        } catch (VmmException e) {
            buffer.markGuestEnded("launch failed: " + e.getMessage());
            throw new GuestLaunchException(spec, reportDir, e);
        }
        attach(template);
        try {
            awaitBoot();
        } catch (RuntimeException | Error e) {
            entry.markUnusable("the template's boot failed (" + reportDir + ")");
            throw e;
        }
        String why = awaitPromptAfterReady();
        if (why != null) {
            entry.markUnusable(why);
            summary.put("snapshot", "cold boot: " + why);
            snapshotNote = "booted cold: " + why;
            return null; // this guest runs on as a cold one
        }
        long promptNanos = System.nanoTime();
        try {
            Thread.sleep(reseedDueAfter(Duration.ofNanos(promptNanos - launchNanos)).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the snapshot template idled", e);
        }
        String transcript = buffer.snapshot();
        Snapshot snapshot;
        try {
            if (buffer.withLock(buffer::base) != 0) {
                throw new IllegalStateException("the boot transcript outgrew the console window ("
                        + LinuxVmExtension.BUFFER_PROPERTY + ")");
            }
            snapshot = guest.vm().snapshot();
        } catch (RuntimeException | InterruptedException e) {
            entry.markUnusable("the snapshot failed: " + e.getMessage());
            summary.put("snapshot", "cold boot: " + entry.unusable());
            snapshotNote = "booted cold: " + entry.unusable();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return null; // QemuVm lets a guest whose snapshot failed run on
        }
        SnapshotTemplates.GuestTemplate t = new SnapshotTemplates.GuestTemplate(snapshot, template, transcript, bootMillis, reportDir);
        entry.set(t);
        summary.put("snapshot.template.idle.ms", Long.toString((System.nanoTime() - promptNanos) / 1_000_000));
        stopWatching();
        guest.vm().close();
        guest = null;
        String restoreFailed = restore(launcher, t, true);
        if (restoreFailed != null) {
            entry.markUnusable(restoreFailed);
            entry.set(null);
            snapshot.close();
            // the cold boot gets a console of its own; the template's stays beside it
            buffer.closeLog();
            try {
                Files.move(reportDir.resolve(LOG_FILE), reportDir.resolve(TEMPLATE_LOG_FILE));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot keep the template's console log in " + reportDir, e);
            }
            buffer = new ConsoleBuffer(buffer.capacity(), reportDir.resolve(LOG_FILE));
        }
        return restoreFailed;
    }

    /** Null once the prompt follows the ready marker, else why not. */
    private String awaitPromptAfterReady() {
        Duration wait = scale.apply(PROMPT_WAIT);
        try {
            return buffer.withLock(() -> {
                long deadline = System.nanoTime() + wait.toNanos();
                while (true) {
                    Matcher ready = READY.matcher(buffer.window());
                    if (ready.find() && buffer.window().indexOf(GuestInitramfs.PROMPT, ready.end()) >= 0) {
                        return null;
                    }
                    if (buffer.guestEndReason() != null) {
                        return "the guest ended before its shell prompt: " + buffer.guestEndReason();
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return "no shell prompt \"" + GuestInitramfs.PROMPT.trim() + "\" within " + wait + " after the ready marker";
                    }
                    buffer.awaitChange(left);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while waiting for the shell prompt";
        }
    }

    /**
     * Starts this session's guest from {@code template}; returns why it must boot cold instead, or
     * null. The clone's first output goes to a {@link CloneSetup}, which types the host's time
     * and random bytes; once the shell has answered and shown its prompt again, the console
     * (which then holds the template's transcript, replayed) takes over from the byte after that
     * prompt, so the test sees the console a cold boot leaves.
     */
    private String restore(GuestLauncher launcher, SnapshotTemplates.GuestTemplate template, boolean transcriptInBuffer) {
        long r0 = System.nanoTime();
        CloneSetup setup = new CloneSetup();
        RunningVm vm = null;
        try {
            vm = launcher.restore(spec, template.snapshot(), setup);
            setup.run(vm, TimeoutScale.forBackend(template.guest().backend()).withParallelGuests(slot.limit(), slot.cores())
                    .apply(SETUP_WAIT));
        } catch (RuntimeException e) {
            if (vm != null) {
                vm.close();
            }
            return "the restore failed: " + e.getMessage();
        } catch (InterruptedException e) {
            vm.close();
            Thread.currentThread().interrupt();
            return "interrupted while restoring";
        }
        if (!transcriptInBuffer) {
            buffer.append(template.transcript());
        }
        setup.handOver(buffer);
        long restoreMillis = (System.nanoTime() - r0) / 1_000_000;
        LaunchedGuest t = template.guest();
        attach(new LaunchedGuest(vm, t.backend(), t.backendReason(), t.kernel(), t.initrd(), t.cmdline(), t.artifacts()));
        bootMillis = template.bootMillis();
        summary.put("boot.ready.ms", Long.toString(bootMillis));
        summary.put("snapshot", "restored from snapshot");
        summary.put("snapshot.template.boot.ms", Long.toString(template.bootMillis()));
        summary.put("snapshot.restore.ms", Long.toString(restoreMillis));
        summary.put("snapshot.template.report", template.reportDir().toString());
        snapshotNote = "restored from snapshot: template booted in " + template.bootMillis() + " ms (" + template.reportDir()
                + "), restored in " + restoreMillis + " ms";
        writeSummary();
        return null;
    }

    /** Makes {@code g} this session's guest: the report's summary and artifacts, the handle, the console, the exit watcher. */
    private void attach(LaunchedGuest g) {
        guest = g;
        scale = TimeoutScale.forBackend(guest.backend()).withParallelGuests(slot.limit(), slot.cores());
        summary.put("kernel", guest.kernel().toString());
        summary.put("initrd", guest.initrd() == null ? "" : guest.initrd().toString());
        summary.put("cmdline", guest.cmdline());
        summary.put("executor", guest.backend());
        summary.put("executor.reason", guest.backendReason());
        summary.put("timeout.scale", scale.describe());
        if (spec.dataPort()) {
            summary.put("data.port", dataPortNote());
        }

        Map<String, Path> artifacts = new TreeMap<>();
        for (Map.Entry<String, byte[]> a : guest.artifacts().entrySet()) {
            Path file = reportDir.resolve(safeFileName(a.getKey()));
            try {
                Files.write(file, a.getValue());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write artifact " + file, e);
            }
            artifacts.put(a.getKey(), file);
        }
        summary.put("artifacts", String.join(",", artifacts.keySet()));
        handle = new LinuxVmHandle(spec, guest, reportDir, artifacts, scale);
        OutputStream in = guest.vm().consoleInput();
        console = new SerialConsole(buffer, new SerialConsole.Wiring(in, handle::describeState, reportDir,
                reportDir.resolve(LOG_FILE), scale));
        handle.attach(console);
        writeSummary();
        startWatching();
    }

    /** Waits for {@value GuestInitramfs#READY_MARKER} without consuming it; records the boot time. */
    private void awaitBoot() {
        console.within(spec.bootTimeout()).awaitMarkerAnywhere(GuestInitramfs.READY_MARKER);
        bootMillis = (System.nanoTime() - launchNanos) / 1_000_000;
        summary.put("boot.ready.ms", Long.toString(bootMillis));
        writeSummary();
    }

    private void startWatching() {
        RunningVm vm = guest.vm();
        watcher = new Thread(() -> watchExit(vm), "linuxvm-exit-watcher-" + reportDir.getFileName());
        watcher.setDaemon(true);
        watcher.start();
    }

    private void stopWatching() {
        if (watcher != null) {
            watcher.interrupt();
            watcher = null;
        }
    }

    private void watchExit(RunningVm vm) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                var exit = vm.awaitExit(Duration.ofHours(1));
                if (exit.isPresent()) {
                    if (!Thread.currentThread().isInterrupted()) {
                        buffer.markGuestEnded(exit.get().describe());
                    }
                    return;
                }
            }
        } catch (InterruptedException e) {
            // session closed, or the guest was a template that is now closed
        }
    }

    static String safeFileName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._,\\[\\]-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }

    /**
     * Whether to use snapshot templates.
     *
     * @param templates the run's templates, or null when snapshots are off
     * @param offReason why they are off (null when on)
     */
    record Snapshots(SnapshotTemplates templates, String offReason) {
        static Snapshots on(SnapshotTemplates templates) {
            return new Snapshots(templates, null);
        }

        static Snapshots off(String why) {
            return new Snapshots(null, why);
        }
    }

    /**
     * How long a template idles at its prompt before the snapshot, so that a reseed of the
     * guest's CRNG is already due when a clone first asks for random bytes: then the clone's
     * first use reseeds from an input pool that holds the host's bytes ({@link CloneSetup}).
     * drivers/char/random.c (6.1) reseeds on use once {@code jiffies > base_crng.birth +
     * crng_reseed_interval()}, which in the first 120 s of uptime is {@code max(1 s, uptime / 2)}.
     * The last reseed happened at most {@code bootToPrompt} into the guest's uptime {@code P} (the
     * guest starts after the host's launch), so after an idle {@code d} it is due when {@code d >
     * max(1 s, (P + d) / 2)}, that is {@code d > max(1 s, P)}; 0.4 s more covers jiffies, timer
     * granularity and the time a clone's first command takes to arrive.
     */
    static Duration reseedDueAfter(Duration bootToPrompt) {
        Duration second = Duration.ofSeconds(1);
        return (bootToPrompt.compareTo(second) > 0 ? bootToPrompt : second).plusMillis(400);
    }

    /**
     * What the report says about an asked-for data port ({@link LinuxVm#dataPort()}): attached,
     * or why copies use the serial console instead; null when the test did not ask for one.
     */
    String dataPortNote() {
        if (!spec.dataPort() || guest == null) {
            return null;
        }
        return guest.vm().dataPort().isPresent() ? "attached: copyIn and copyOut use it"
                : "not provided by the " + guest.backend() + " executor: copyIn and copyOut use the serial console";
    }

    /** What the report says about snapshots: "restored from snapshot: ..." or "booted cold: why". */
    String snapshotNote() {
        return snapshotNote;
    }

    SerialConsole console() {
        return console;
    }

    LinuxVmHandle handle() {
        return handle;
    }

    VmSpec spec() {
        return spec;
    }

    Path reportDir() {
        return reportDir;
    }

    @Override
    public void close() {
        try {
            if (guest != null) {
                guest.vm().close();
                summary.put("exit", guest.vm().exit().map(VmExit::describe).orElse("unknown"));
            }
            stopWatching();
            buffer.markGuestEnded("closed");
            writeSummary();
        } finally {
            buffer.closeLog();
        }
    }

    private void writeSummary() {
        Properties p = new Properties() {
            @Override
            public synchronized java.util.Set<Map.Entry<Object, Object>> entrySet() {
                // keep insertion order in the file
                Map<Object, Object> ordered = new LinkedHashMap<>(summary);
                return ordered.entrySet();
            }
        };
        p.putAll(summary);
        // UTF-8 text, so "×4 for qemu-tcg" reads as written (load it with a Reader)
        try (var out = Files.newBufferedWriter(reportDir.resolve(SUMMARY_FILE))) {
            p.store(out, "linuxvm guest summary");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + reportDir.resolve(SUMMARY_FILE), e);
        }
    }
}
