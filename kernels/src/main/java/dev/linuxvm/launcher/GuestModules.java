package dev.linuxvm.launcher;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A host directory of kernel modules ({@code .ko}) to place under {@code /lib/modules/<release>/}
 * so busybox {@code insmod} and {@code modprobe} find them; its tree is kept as it is. Without a
 * {@code modules.dep} of its own one is generated from each module's {@code depends=} modinfo.
 *
 * @param host    the host directory
 * @param release the guest kernel's {@code uname -r}; empty: the provisioned kernel's, or for a
 *                kernel file the release in its {@code Linux version} banner
 */
public record GuestModules(Path host, Optional<String> release) {
    public GuestModules {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(release, "release");
        release.ifPresent(r -> {
            if (r.isBlank() || r.contains("/") || r.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("kernel modules " + host + ": release '" + r
                        + "' is not a uname -r value");
            }
        });
    }

    /** Modules for the guest kernel's own release. */
    public static GuestModules of(Path host) {
        return new GuestModules(host, Optional.empty());
    }

    @Override
    public String toString() {
        return "kernel modules " + host + release.map(r -> " (release " + r + ")").orElse("");
    }
}
