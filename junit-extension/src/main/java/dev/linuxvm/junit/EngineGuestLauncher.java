package dev.linuxvm.junit;

import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.backend.Backend;
import dev.linuxvm.engine.backend.ConsoleListener;
import dev.linuxvm.engine.backend.RunningVm;
import dev.linuxvm.engine.launch.BackendSelector;
import dev.linuxvm.engine.launch.DefaultCmdline;
import dev.linuxvm.engine.launch.GuestFactory;
import dev.linuxvm.engine.launch.GuestSpec;
import dev.linuxvm.kernels.TestKernel;
import dev.linuxvm.kernels.TestKernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The launcher the extension uses by default (registered in
 * {@code META-INF/services/dev.linuxvm.junit.GuestLauncher}): the engine builds the guest, the
 * executor {@link BackendSelector} picks runs it.
 *
 * <p>Steps of {@link #launch}:
 * <ol>
 *   <li>select the executor (KVM when it can run a full boot, else QEMU: KVM-accelerated or TCG);</li>
 *   <li>resolve the command line: the spec's, or {@link DefaultCmdline#forArch} for that executor;</li>
 *   <li>resolve kernel and initramfs: the spec's files, else the provisioned {@link TestKernels};</li>
 *   <li>build the {@link GuestImage} (loader, boot state, ACPI tables / DTB) with {@link GuestFactory};</li>
 *   <li>start it on the executor; the generated tables and blobs become the report's artifacts.</li>
 * </ol>
 */
public final class EngineGuestLauncher implements GuestLauncher {

    @Override
    public Backend.Availability availability(VmSpec spec) {
        return BackendSelector.availability(spec.arch(), spec.backend());
    }

    @Override
    public LaunchedGuest launch(VmSpec spec, ConsoleListener console) {
        BackendSelector.Selection selection = BackendSelector.select(spec.arch(), spec.backend());
        String cmdline = spec.defaultCmdline() ? DefaultCmdline.forArch(spec.arch(), selection.emulated()) : spec.cmdline();

        Path kernel = spec.kernel().orElse(null);
        Path initrd = spec.initrd().orElse(null);
        if (kernel == null || initrd == null) {
            TestKernel provisioned = TestKernels.forArch(spec.arch());
            kernel = kernel != null ? kernel : provisioned.kernel();
            initrd = initrd != null ? initrd : provisioned.initramfs();
        }
        byte[] initrdBytes = read(initrd);

        GuestImage image = GuestFactory.build(new GuestSpec(spec.arch(), spec.mode(), kernel, initrdBytes, cmdline,
                spec.memoryMib(), spec.cpus()));
        RunningVm vm = selection.backend().start(image, console);
        String reason = selection.reason() + selection.warning().map(w -> "; warning: " + w).orElse("");
        return new LaunchedGuest(vm, selection.name(), reason, kernel, initrd, image.cmdline(),
                image.artifacts());
    }

    private static byte[] read(Path initrd) {
        if (!Files.isRegularFile(initrd)) {
            throw new VmmException("initramfs " + initrd + " does not exist or is not a file: check @LinuxVm(initrd = ...)"
                    + " or the LINUXVM_INITRD_<ARCH> variable");
        }
        try {
            return Files.readAllBytes(initrd);
        } catch (IOException e) {
            throw new VmmException("cannot read initramfs " + initrd + ": " + e.getMessage() + ": check its permissions");
        }
    }
}
