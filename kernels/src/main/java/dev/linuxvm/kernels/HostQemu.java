package dev.linuxvm.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's {@code qemu-system-x86_64} and every file it needs at run time for
 * {@code -M microvm -kernel}, so a KVM lab archive can carry it into level 1 at the same paths.
 *
 * @param binary         absolute path of the emulator, e.g. /usr/bin/qemu-system-x86_64
 * @param packageVersion the qemu-system-x86 package version, or {@value #NOT_FROM_DPKG}
 * @param files          every file to copy, absolute host paths, the binary first: shared
 *                       libraries (as {@code ldd} names them), the TCG accelerator module and its
 *                       libraries, firmware; symlinks among the firmware stay symlinks
 * @param fingerprint    hex SHA-256 over the paths and contents of {@code files}, so a changed
 *                       library or firmware changes the lab's cache key
 */
record HostQemu(Path binary, String packageVersion, List<Path> files, String fingerprint) {
    static final String BINARY = "qemu-system-x86_64";
    static final String PACKAGE = "qemu-system-x86";
    static final String NOT_FROM_DPKG = "not-from-dpkg";

    /** Where Debian's QEMU keeps its firmware (the package's CONFIG_QEMU_FIRMWAREPATH). */
    static final Path DATA_DIR = Path.of("/usr/share/qemu");
    /**
     * Firmware for {@code -M microvm -kernel} (QEMU 7.2): hw/i386/microvm.c loads
     * {@code bios-microvm.bin} (qboot); hw/i386/x86.c x86_load_linux adds the option ROM
     * {@code linuxboot_dma.bin} (fw_cfg DMA, else {@code linuxboot.bin}) or {@code pvh.bin} for an
     * ELF kernel with a PVH note; hw/i386/multiboot.c {@code multiboot_dma.bin}.
     */
    static final List<String> REQUIRED_FIRMWARE = List.of("bios-microvm.bin", "linuxboot_dma.bin");
    /** Loaded in other configurations (hw/i386/kvmvapic.c: {@code kvmvapic.bin}); copied when present. */
    static final List<String> OPTIONAL_FIRMWARE = List.of("linuxboot.bin", "pvh.bin", "multiboot_dma.bin", "kvmvapic.bin");
    /** Debian builds the TCG accelerator as a module; without it the inner QEMU has only KVM. */
    static final Path TCG_MODULE = Path.of("/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so");

    /** {@code libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)} and {@code /lib64/ld-linux-x86-64.so.2 (0x...)}. */
    private static final Pattern LDD_RESOLVED = Pattern.compile("=>\\s*(/\\S+)\\s+\\(0x");
    private static final Pattern LDD_ABSOLUTE = Pattern.compile("^\\s*(/\\S+)\\s+\\(0x");

    /** Finds the emulator (in /usr/bin, else on PATH) and collects its files; fails naming the package to install. */
    static HostQemu find(String pathVariable) {
        Path binary = Path.of("/usr/bin", BINARY);
        if (!Files.isExecutable(binary)) {
            binary = null;
            for (String dir : (pathVariable == null ? "" : pathVariable).split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, BINARY))) {
                    binary = Path.of(dir, BINARY).toAbsolutePath();
                    break;
                }
            }
        }
        if (binary == null) {
            throw new ProvisioningException(BINARY + " is not installed: apt-get install " + PACKAGE
                + " (the x86_64 KVM lab carries the host's QEMU into level 1)");
        }
        if (!HostCommand.onPath("ldd", pathVariable)) {
            throw new ProvisioningException("ldd not found: apt-get install libc-bin (needed to collect "
                + BINARY + "'s libraries for the KVM lab)");
        }
        Set<Path> files = new LinkedHashSet<>();
        files.add(binary);
        files.addAll(libraries(binary));
        if (Files.isRegularFile(TCG_MODULE)) {
            files.add(TCG_MODULE);
            files.addAll(libraries(TCG_MODULE));
        }
        for (String name : REQUIRED_FIRMWARE) {
            Path f = DATA_DIR.resolve(name);
            if (!Files.exists(f)) {
                throw new ProvisioningException(f + " is missing: apt-get install qemu-system-data (" + BINARY
                    + " -M microvm -kernel needs it)");
            }
            addFollowingLinks(files, f);
        }
        for (String name : OPTIONAL_FIRMWARE) {
            Path f = DATA_DIR.resolve(name);
            if (Files.exists(f)) {
                addFollowingLinks(files, f);
            }
        }
        List<Path> list = List.copyOf(files);
        return new HostQemu(binary, dpkgVersion(), list, fingerprint(list));
    }

    /** The libraries {@code ldd} lists for an ELF file (absolute paths, the vDSO left out). */
    static List<Path> libraries(Path elf) {
        String out = HostCommand.run(null, List.of("ldd", elf.toString()));
        return parseLdd(elf, out);
    }

    static List<Path> parseLdd(Path elf, String lddOutput) {
        List<Path> libs = new ArrayList<>();
        for (String line : lddOutput.split("\n")) {
            if (line.contains("=> not found")) {
                throw new ProvisioningException(elf + " needs a library the host lacks (" + line.trim()
                    + "): reinstall " + PACKAGE);
            }
            Matcher m = LDD_RESOLVED.matcher(line);
            Matcher a = LDD_ABSOLUTE.matcher(line);
            if (m.find()) {
                libs.add(Path.of(m.group(1)));
            } else if (a.find()) {
                libs.add(Path.of(a.group(1)));
            }
        }
        return libs;
    }

    /** Adds {@code f}, and while it is a symlink, what it points to (each link stays a link in the archive). */
    private static void addFollowingLinks(Set<Path> files, Path f) {
        Path p = f;
        for (int hops = 0; hops < 16; hops++) {
            files.add(p);
            if (!Files.isSymbolicLink(p)) {
                return;
            }
            try {
                p = p.getParent().resolve(Files.readSymbolicLink(p)).normalize();
            } catch (IOException e) {
                throw new ProvisioningException("cannot read the symlink " + p + ": " + e.getMessage(), e);
            }
        }
        throw new ProvisioningException(f + ": too many levels of symbolic links");
    }

    private static String dpkgVersion() {
        if (!HostCommand.onPath("dpkg-query")) {
            return NOT_FROM_DPKG;
        }
        try {
            return HostCommand.run(null, List.of("dpkg-query", "-W", "-f=${Version}", PACKAGE)).trim();
        } catch (ProvisioningException e) {
            return NOT_FROM_DPKG;
        }
    }

    private static String fingerprint(List<Path> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                md.update((f + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                String content = Files.isSymbolicLink(f) ? "-> " + Files.readSymbolicLink(f) : GuestCache.sha256(f);
                md.update((content + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new ProvisioningException("cannot read the host's QEMU files: " + GuestCache.describe(e), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Whether {@code f} is stored as a symlink (firmware links) rather than as its contents. */
    static boolean keepAsLink(Path f) {
        return Files.isSymbolicLink(f) && f.startsWith(DATA_DIR);
    }

    /** Permission bits of the file {@code f} resolves to. */
    static int permissions(Path f) throws IOException {
        return (Integer) Files.getAttribute(f, "unix:mode") & 07777;
    }
}
