package dev.linuxvm.kernels;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A program (found on PATH) or a header file (found at its path) that a provisioning step needs,
 * with the Debian package that provides it, so a missing one fails with the line that fixes it.
 *
 * @param name          the program name, or the header's absolute path
 * @param debianPackage the package to {@code apt-get install}
 * @param header        whether {@code name} is a file path rather than a program
 */
record HostTool(String name, String debianPackage, boolean header) {

    static HostTool program(String name, String debianPackage) {
        return new HostTool(name, debianPackage, false);
    }

    static HostTool header(String path, String debianPackage) {
        return new HostTool(path, debianPackage, true);
    }

    boolean presentOn(String path) {
        return header ? Files.isRegularFile(Path.of(name)) : HostCommand.onPath(name, path);
    }

    /**
     * Throws one line naming every missing tool and the packages to install, e.g.
     * "cannot build the KUnit x86_64 kernel: flex, bison not found: apt-get install flex bison".
     */
    static void require(String task, List<HostTool> tools, String path) {
        List<String> missing = new ArrayList<>();
        Set<String> packages = new LinkedHashSet<>();
        for (HostTool t : tools) {
            if (!t.presentOn(path)) {
                missing.add(t.name());
                packages.add(t.debianPackage());
            }
        }
        if (!missing.isEmpty()) {
            throw new ProvisioningException("cannot " + task + ": " + String.join(", ", missing) + " not found: apt-get install "
                + String.join(" ", packages));
        }
    }
}
