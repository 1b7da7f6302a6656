package dev.linuxvm.junit;

import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.backend.VmExit;
import dev.linuxvm.kernels.GuestInitramfs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
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

    private final VmSpec spec;
    private final Path reportDir;
    private final ConsoleBuffer buffer;
    private final GuestSlots.Slot slot;
    private LaunchedGuest guest;
    private SerialConsole console;
    private LinuxVmHandle handle;
    private Thread watcher;
    private long launchNanos;
    private Long bootMillis;
    private final Map<String, String> summary = new LinkedHashMap<>();

    private GuestSession(VmSpec spec, Path reportDir, int bufferCapacity, GuestSlots.Slot slot) {
        this.spec = spec;
        this.reportDir = reportDir;
        this.slot = slot;
        this.buffer = new ConsoleBuffer(bufferCapacity, reportDir.resolve(LOG_FILE));
    }

    /** Starts the guest in {@code slot}; the caller releases the slot after {@link #close()}. */
    static GuestSession start(GuestLauncher launcher, VmSpec spec, Path reportDir, int bufferCapacity,
                              GuestSlots.Slot slot) {
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
            s.launch(launcher);
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void launch(GuestLauncher launcher) {
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
        try {
            guest = launcher.launch(spec, buffer);
        } catch (VmmException e) {
            buffer.markGuestEnded("launch failed: " + e.getMessage());
            throw new GuestLaunchException(spec, reportDir, e);
        }
        TimeoutScale scale = TimeoutScale.forBackend(guest.backend()).withParallelGuests(slot.limit(), slot.cores());
        summary.put("kernel", guest.kernel().toString());
        summary.put("initrd", guest.initrd() == null ? "" : guest.initrd().toString());
        summary.put("cmdline", guest.cmdline());
        summary.put("executor", guest.backend());
        summary.put("executor.reason", guest.backendReason());
        summary.put("timeout.scale", scale.describe());

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

        watcher = new Thread(this::watchExit, "linuxvm-exit-watcher-" + reportDir.getFileName());
        watcher.setDaemon(true);
        watcher.start();

        console.within(spec.bootTimeout()).awaitAnywhere(GuestInitramfs.READY_MARKER);
        bootMillis = (System.nanoTime() - launchNanos) / 1_000_000;
        summary.put("boot.ready.ms", Long.toString(bootMillis));
        writeSummary();
    }

    private void watchExit() {
        try {
            while (true) {
                var exit = guest.vm().awaitExit(Duration.ofHours(1));
                if (exit.isPresent()) {
                    buffer.markGuestEnded(exit.get().describe());
                    return;
                }
            }
        } catch (InterruptedException e) {
            // session closed
        }
    }

    static String safeFileName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._,\\[\\]-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
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
            if (watcher != null) {
                watcher.interrupt();
            }
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
