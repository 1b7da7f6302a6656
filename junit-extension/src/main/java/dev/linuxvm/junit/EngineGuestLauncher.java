package dev.linuxvm.junit;

import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.launch.BackendSelector;
import dev.linuxvm.launcher.LaunchRequest;
import dev.linuxvm.launcher.Launcher;

/**
 * The launcher the extension uses by default (registered in
 * {@code META-INF/services/dev.linuxvm.junit.GuestLauncher}): the test's {@link VmSpec} goes through
 * {@link Launcher}, the launch path the CLI shares (choose the executor, default command line,
 * provision, read the initramfs, build, start); the generated tables and blobs become the report's
 * artifacts.
 */
public final class EngineGuestLauncher implements GuestLauncher {

    @Override
    public Backend.Availability availability(VmSpec spec) {
        return BackendSelector.availability(spec.arch(), spec.backend());
    }

    @Override
    public LaunchedGuest launch(VmSpec spec, ConsoleListener console) {
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
                .withModules(spec.modules());
        Launcher.Prepared guest = Launcher.prepare(request, line -> { });
        RunningVm vm = guest.start(console);
        BackendSelector.Selection selection = guest.selection();
        String reason = selection.reason() + selection.warning().map(w -> "; warning: " + w).orElse("");
        return new LaunchedGuest(vm, selection.name(), reason, guest.kernel(), guest.initrd(), guest.image().cmdline(),
                guest.image().artifacts());
    }
}
