package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.DataPort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The kernel modules a provisioned guest needs for its data port ({@link DataPort#MODULES}:
 * virtio_ring, virtio, virtio_mmio, virtio_console; all {@code =m} in Debian's 6.1 cloud
 * kernels), taken from the guest kernel's own {@code linux-image} package and cached beside
 * it, laid out as under {@code /lib/modules/<release>/} so the overlay can place the directory
 * as it is.
 *
 * <ol>
 *   <li>under the cache's {@code dataport.lock}, return {@code dataport/<arch>/<release>_<version>}
 *       when it holds every module;</li>
 *   <li>otherwise {@code apt-get download linux-image-<release>=<version>} (the private apt state of
 *       {@link PrivateApt}), {@code dpkg-deb -x} it into a temporary directory;</li>
 *   <li>copy the four modules out (plain {@code .ko} in 6.1; {@code .ko.xz} is decompressed with
 *       {@code xz}) and move the directory into place.</li>
 * </ol>
 */
public final class DataPortModules {
    static final String DIR = "dataport";
    private static final String LOCK = "dataport.lock";

    private final TestKernels guests;
    private final Map<String, String> env;
    private final Consumer<String> progress;

    private DataPortModules(TestKernels guests, Map<String, String> env, Consumer<String> progress) {
        this.guests = guests;
        this.env = env;
        this.progress = progress;
    }

    /** The modules for the guests {@link TestKernels#fromEnvironment} provisions. */
    public static DataPortModules fromEnvironment(Consumer<String> progress) {
        return new DataPortModules(TestKernels.fromEnvironment(progress), System.getenv(), progress);
    }

    /**
     * The module directory (its tree as under {@code /lib/modules/<release>/}) for {@code kernel}.
     *
     * @throws ProvisioningException when {@code kernel} did not come from a Debian package (an
     *                               override), or downloading or unpacking failed
     */
    public Path get(TestKernel kernel) {
        if (TestKernel.CUSTOM.equals(kernel.kernelRelease()) || TestKernel.CUSTOM.equals(kernel.kernelPackageVersion())) {
            throw new ProvisioningException("the data port needs the virtio modules of the guest kernel's Debian package, but "
                    + kernel.kernel() + " is an override: pass its modules with @GuestModules and boot without the data port");
        }
        Path root = guests.cacheRoot();
        Path dir = root.resolve(DIR).resolve(kernel.arch().unameMachine())
                .resolve(kernel.kernelRelease() + "_" + kernel.kernelPackageVersion());
        return GuestCache.withLock(root.resolve(LOCK), progress, () -> {
            if (complete(dir)) {
                return dir;
            }
            try {
                return extract(kernel, dir);
            } catch (IOException e) {
                throw new ProvisioningException("cannot provision the data port modules into " + dir + ": "
                        + GuestCache.describe(e), e);
            }
        });
    }

    private static boolean complete(Path dir) {
        return DataPort.MODULES.stream().allMatch(m -> Files.isRegularFile(dir.resolve(m)));
    }

    private Path extract(TestKernel kernel, Path dir) throws IOException {
        Arch arch = kernel.arch();
        String pkg = "linux-image-" + kernel.kernelRelease();
        Path work = Files.createDirectories(guests.cacheRoot().resolve("tmp"))
                .resolve("dataport-" + arch.unameMachine() + "-" + ProcessHandle.current().pid());
        GuestCache.deleteTree(work);
        Files.createDirectories(work);
        try {
            progress.accept("[" + arch + "] data port: downloading " + pkg + "=" + kernel.kernelPackageVersion()
                    + " for " + String.join(", ", DataPort.MODULES.stream().map(DataPortModules::name).toList()));
            PrivateApt apt = new PrivateApt(guests.cacheRoot(), progress);
            apt.ensureLists();
            Path deb = apt.download(pkg, kernel.kernelPackageVersion(), arch, work);
            Path tree = work.resolve("tree");
            HostCommand.run(work, List.of("dpkg-deb", "-x", deb.toString(), tree.toString()));
            Path modules = tree.resolve("lib/modules/" + kernel.kernelRelease());
            Path staged = work.resolve("modules");
            for (String m : DataPort.MODULES) {
                KernelModuleFiles.copyPlain(modules, m, staged.resolve(m), env.get("PATH"), pkg);
            }
            GuestCache.deleteTree(dir);
            Files.createDirectories(dir.getParent());
            Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
            return dir;
        } finally {
            GuestCache.deleteTree(work);
        }
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1, path.length() - ".ko".length());
    }
}
