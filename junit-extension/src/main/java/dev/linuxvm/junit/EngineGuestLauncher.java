package dev.linuxvm.junit;

import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.backend.Snapshot;
import dev.linuxvm.engine.launch.BackendSelector;
import dev.linuxvm.launcher.LaunchRequest;
import dev.linuxvm.launcher.Launcher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The launcher the extension uses by default (registered in
 * {@code META-INF/services/dev.linuxvm.junit.GuestLauncher}): the test's {@link VmSpec} goes through
 * {@link Launcher}, the launch path the CLI shares (choose the executor, default command line,
 * provision, read the initramfs, build, start); the generated tables and blobs become the report's
 * artifacts.
 *
 * <p>Snapshots: the {@link #snapshotKey} is the SHA-256 of the built {@link GuestImage} (every
 * memory region's address and bytes: kernel, initramfs with its overlays, tables; the boot CPU
 * state, command line, RAM layout, vCPUs) and the executor's name. The guest built for the key
 * is kept for the {@link #launchForSnapshot} that follows on the same instance.
 */
public final class EngineGuestLauncher implements GuestLauncher {
    private VmSpec preparedFor;
    private Launcher.Prepared prepared;

    @Override
    public Backend.Availability availability(VmSpec spec) {
        return BackendSelector.availability(spec.arch(), spec.backend());
    }

    @Override
    public LaunchedGuest launch(VmSpec spec, ConsoleListener console) {
        Launcher.Prepared guest = prepare(spec);
        return launched(guest, guest.start(console));
    }

    @Override
    public Optional<String> snapshotKey(VmSpec spec) {
        Launcher.Prepared guest = prepare(spec);
        GuestImage image = guest.image();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        sha.update((guest.selection().name() + "\n" + image.arch() + "\n" + image.ramRanges() + "\n" + image.cpus()
                + "\n" + image.cmdline() + "\n" + image.bootState() + "\n").getBytes(StandardCharsets.UTF_8));
        for (MemoryRegion r : image.regions()) {
            sha.update((r.name() + "@" + r.address() + "+" + r.size() + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(ByteBuffer.wrap(r.data()));
        }
        return Optional.of(guest.selection().name() + ":" + HexFormat.of().formatHex(sha.digest()));
    }

    @Override
    public LaunchedGuest launchForSnapshot(VmSpec spec, ConsoleListener console) {
        Launcher.Prepared guest = prepare(spec);
        return launched(guest, guest.selection().backend().startForSnapshot(guest.image(), console));
    }

    @Override
    public RunningVm restore(VmSpec spec, Snapshot snapshot, ConsoleListener console) {
        return BackendSelector.select(spec.arch(), spec.backend()).backend().restore(snapshot, console);
    }

    /** The guest for {@code spec}, built once for {@link #snapshotKey} and the launch that follows. */
    private Launcher.Prepared prepare(VmSpec spec) {
        if (prepared == null || !spec.equals(preparedFor)) {
            LaunchRequest request = LaunchRequest.of(spec.arch())
                    .withMode(spec.mode())
                    .withKernel(spec.kernel().<LaunchRequest.Kernel>map(LaunchRequest.Kernel.File::new)
                            .orElse(spec.provisioned() == ProvisionedKernel.KUNIT ? new LaunchRequest.Kernel.Kunit()
                                    : new LaunchRequest.Kernel.Provisioned()))
                    .withInitrd(spec.initrd().<LaunchRequest.Initrd>map(LaunchRequest.Initrd.File::new)
                            .orElse(new LaunchRequest.Initrd.Provisioned()))
                    .withCmdline(spec.defaultCmdline() ? null : spec.cmdline())
                    .withMemoryMib(spec.memoryMib())
                    .withCpus(spec.cpus())
                    .withBackend(spec.backend())
                    .withFiles(spec.files())
                    .withModules(spec.modules())
                    .withDataPort(spec.dataPort());
            prepared = Launcher.prepare(request, line -> { });
            preparedFor = spec;
        }
        return prepared;
    }

    private static LaunchedGuest launched(Launcher.Prepared guest, RunningVm vm) {
        BackendSelector.Selection selection = guest.selection();
        String reason = selection.reason() + selection.warning().map(w -> "; warning: " + w).orElse("");
        return new LaunchedGuest(vm, selection.name(), reason, guest.kernel(), guest.initrd(), guest.image().cmdline(),
                guest.image().artifacts());
    }
}
