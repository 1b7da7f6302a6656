package dev.linuxvm.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Modules out of an unpacked linux-image package, as plain {@code .ko} files for busybox insmod. */
final class KernelModuleFiles {
    private KernelModuleFiles() {
    }

    /**
     * Copies {@code module} ({@code kernel/…/name.ko}, relative to {@code moduleTree}, the
     * package's {@code lib/modules/<release>}) to {@code target}, decompressing it when the
     * package ships {@code name.ko.xz} (6.1 ships plain {@code .ko}; newer packages compress).
     *
     * @param pathEnv the PATH in which to look for {@code xz}
     * @param pkg     the package, for the messages
     * @throws ProvisioningException when neither file is there, or xz is needed and missing
     */
    static void copyPlain(Path moduleTree, String module, Path target, String pathEnv, String pkg) throws IOException {
        Path ko = moduleTree.resolve(module);
        Path xz = moduleTree.resolve(module + ".xz");
        Files.createDirectories(target.getParent());
        if (Files.isRegularFile(ko)) {
            Files.copy(ko, target);
        } else if (Files.isRegularFile(xz)) {
            if (!HostCommand.onPath("xz", pathEnv)) {
                throw new ProvisioningException("xz not found: apt-get install xz-utils (" + pkg + " ships " + module + ".xz)");
            }
            Path packed = Path.of(target + ".xz");
            Files.copy(xz, packed);
            HostCommand.run(target.getParent(), List.of("xz", "-d", packed.getFileName().toString()));
        } else {
            throw new ProvisioningException(pkg + " has neither " + module + " nor " + module + ".xz: the kernel does not"
                    + " build it as a module (built in, or absent)");
        }
    }
}
