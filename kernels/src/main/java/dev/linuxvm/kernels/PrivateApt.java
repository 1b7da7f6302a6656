package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * apt with its own state under the cache ({@code <cache>/apt}): package lists, package cache and
 * an empty dpkg status, for both Debian architectures at once. The host's sources
 * ({@code /etc/apt/sources.list*}, keyrings) are read, nothing of the host's apt state is written
 * or relied on, so provisioning works on a machine whose own lists were never fetched, needs no
 * root, and never changes what the host's {@code apt-get install} sees.
 */
final class PrivateApt {
    /** The meta-package whose dependency names the current cloud kernel of an arch. */
    static String kernelMetaPackage(Arch arch) {
        return "linux-image-cloud-" + arch.debianArch();
    }

    static final String BUSYBOX_PACKAGE = "busybox-static";

    private static final Pattern KERNEL_DEPENDS =
        Pattern.compile("Depends:\\s*(linux-image-(\\d[^\\s:]*-cloud-[a-z0-9]+))");

    private final Path root;
    private final Consumer<String> progress;
    private boolean updated;

    PrivateApt(Path cacheRoot, Consumer<String> progress) {
        this.root = cacheRoot.resolve("apt");
        this.progress = progress;
    }

    private List<String> options() {
        List<String> o = new ArrayList<>(List.of(
            // Native arch first so unqualified names mean amd64; arm64 packages are named "pkg:arm64".
            "-oAPT::Architecture=" + Arch.X86_64.debianArch(),
            "-oAPT::Architectures=" + Arch.X86_64.debianArch() + "," + Arch.AARCH64.debianArch(),
            "-oDir::State::Lists=" + root.resolve("lists"),
            "-oDir::Cache=" + root.resolve("cache"),
            "-oDir::State::status=/dev/null",
            "-oAcquire::Languages=none",
            "-q"));
        if ("root".equals(System.getProperty("user.name"))) {
            // As root apt drops to the _apt user for downloads, which cannot write to a user cache dir.
            o.add("-oAPT::Sandbox::User=root");
        }
        return o;
    }

    private List<String> cmd(String tool, String... args) {
        List<String> c = new ArrayList<>();
        c.add(tool);
        c.addAll(options());
        c.addAll(List.of(args));
        return c;
    }

    boolean hasLists() {
        try (Stream<Path> s = Files.list(root.resolve("lists"))) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith("_Packages")
                || p.getFileName().toString().contains("_Packages."));
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code apt-get update} into the private lists (once per run). */
    void update() {
        if (updated) {
            return;
        }
        try {
            Files.createDirectories(root.resolve("lists/partial"));
            Files.createDirectories(root.resolve("cache/archives/partial"));
        } catch (IOException e) {
            throw new ProvisioningException("cannot create apt state dir " + root + ": " + e.getMessage(), e);
        }
        progress.accept("apt-get update (private lists for amd64 + arm64 in " + root.resolve("lists") + ")");
        long t0 = System.nanoTime();
        HostCommand.run(root, cmd("apt-get", "update"));
        updated = true;
        progress.accept(String.format("  lists updated in %.1f s", (System.nanoTime() - t0) / 1e9));
    }

    /**
     * Runs {@code job} (which reads the lists), updating them first when {@code refresh}. When an
     * apt command in it fails on lists that were not refreshed (e.g. a package version the
     * archive no longer has), says so, updates the lists and runs it once more.
     */
    <T> T withFreshListsOnFailure(boolean refresh, java.util.function.Supplier<T> job) {
        if (refresh) {
            update();
        }
        try {
            return job.get();
        } catch (HostCommand.CommandFailedException first) {
            if (refresh) {
                throw first;
            }
            progress.accept("  " + first.getMessage());
            progress.accept("  retrying with freshly updated apt lists");
            update();
            return job.get();
        }
    }

    /** Updates the lists if they were never fetched. */
    void ensureLists() {
        if (!hasLists()) {
            update();
        }
    }

    /** "linux-image-6.1.0-56-cloud-arm64" for the cloud kernel the lists currently offer. */
    String currentKernelPackage(Arch arch) {
        String out = HostCommand.run(root, cmd("apt-cache", "depends", qualified(kernelMetaPackage(arch), arch)));
        Matcher m = KERNEL_DEPENDS.matcher(out);
        if (!m.find()) {
            throw new ProvisioningException("apt-cache depends " + kernelMetaPackage(arch)
                + " names no linux-image-<version>-cloud-" + arch.debianArch() + " package (output: "
                + out.trim() + "); is this a Debian host with the main component enabled?");
        }
        return m.group(1);
    }

    /** Downloads the package into {@code dir}; returns the .deb file. */
    Path download(String pkg, Arch arch, Path dir) {
        HostCommand.run(dir, cmd("apt-get", "download", qualified(pkg, arch)));
        return downloaded(pkg, arch, dir);
    }

    /** Downloads exactly {@code version} of the package into {@code dir}; returns the .deb file. */
    Path download(String pkg, String version, Arch arch, Path dir) {
        HostCommand.run(dir, cmd("apt-get", "download", qualified(pkg, arch) + "=" + version));
        return downloaded(pkg, arch, dir);
    }

    /** Downloads an architecture-independent ({@code Architecture: all}) package into {@code dir}; returns the .deb. */
    Path downloadIndependent(String pkg, Path dir) {
        HostCommand.run(dir, cmd("apt-get", "download", pkg));
        return downloaded(pkg, "all", dir);
    }

    private static Path downloaded(String pkg, Arch arch, Path dir) {
        return downloaded(pkg, arch.debianArch(), dir);
    }

    private static Path downloaded(String pkg, String debianArch, Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(pkg + "_")
                    && p.getFileName().toString().endsWith("_" + debianArch + ".deb"))
                .findFirst()
                .orElseThrow(() -> new ProvisioningException("apt-get download " + pkg + " left no .deb in " + dir));
        } catch (IOException e) {
            throw new ProvisioningException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String qualified(String pkg, Arch arch) {
        return arch == Arch.X86_64 ? pkg : pkg + ":" + arch.debianArch();
    }
}
