package dev.linuxvm.junit;

import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.Snapshot;
import java.util.Optional;

/**
 * The seam between the extension and the engine: builds the {@link dev.linuxvm.engine.GuestImage}
 * for a {@link VmSpec} (provisioned kernel/initrd when the spec has none), picks a
 * {@link Backend} and starts it.
 *
 * <p>Found, in order, through the JUnit configuration parameter or system property
 * {@value #LAUNCHER_PROPERTY} (a class name with a public no-argument constructor), then
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.linuxvm.junit.GuestLauncher}).
 * Without one, every {@link LinuxVm} test fails with that reason (or is skipped, when the user
 * chose {@link LinuxVm#skipWhenUnavailable()}).
 */
public interface GuestLauncher {
    /** Configuration parameter / system property naming the launcher class. */
    String LAUNCHER_PROPERTY = "linuxvm.launcher";

    /**
     * Whether {@link #launch} can run {@code spec} on this host. When not, the reason must say
     * what is missing and how to fix it: the test fails with that text (or is skipped with it,
     * when the user chose {@link LinuxVm#skipWhenUnavailable()}).
     */
    Backend.Availability availability(VmSpec spec);

    /**
     * Builds and starts the guest. Console output goes to {@code console} from the backend's
     * thread from the first byte on.
     *
     * @throws dev.linuxvm.engine.VmmException when the guest cannot be built or started; its
     *         {@link dev.linuxvm.engine.VmmException#kind()} decides fail or skip
     */
    LaunchedGuest launch(VmSpec spec, ConsoleListener console);

    /**
     * What makes guests of {@code spec} identical, for sharing a snapshot template
     * ({@link SnapshotTemplates}): two specs with equal keys start the same guest (the same
     * executor, and kernel, initramfs with its overlays, tables, command line, memory and vCPUs by
     * content). Empty: this launcher cannot snapshot guests; every guest boots.
     */
    default Optional<String> snapshotKey(VmSpec spec) {
        return Optional.empty();
    }

    /**
     * Like {@link #launch}, but the guest can be {@linkplain RunningVm#snapshot() snapshotted}
     * ({@link dev.linuxvm.engine.backend.Backend#startForSnapshot}).
     *
     * @throws UnsupportedOperationException when this launcher cannot snapshot guests
     */
    default LaunchedGuest launchForSnapshot(VmSpec spec, ConsoleListener console) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot snapshot guests");
    }

    /**
     * Starts a private copy of the guest {@code snapshot} froze, taken from a guest this launcher
     * started with {@link #launchForSnapshot} for a spec with the same {@link #snapshotKey}.
     *
     * @throws UnsupportedOperationException when this launcher cannot restore snapshots
     */
    default RunningVm restore(VmSpec spec, Snapshot snapshot, ConsoleListener console) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot restore snapshots");
    }
}
