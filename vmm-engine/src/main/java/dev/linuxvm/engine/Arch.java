package dev.linuxvm.engine;

import java.util.Locale;

/** A guest CPU architecture linuxvm can boot. */
public enum Arch {
    /** 64-bit x86; kernels are uncompressed ELF {@code vmlinux} files. */
    X86_64("x86_64", "amd64"),
    /** 64-bit Arm; kernels are uncompressed arm64 {@code Image} files. */
    AARCH64("aarch64", "arm64");

    private final String unameMachine;
    private final String debianArch;

    Arch(String unameMachine, String debianArch) {
        this.unameMachine = unameMachine;
        this.debianArch = debianArch;
    }

    /** The name {@code uname -m} prints inside such a guest ("x86_64", "aarch64"). */
    public String unameMachine() {
        return unameMachine;
    }

    /** Debian's architecture name ("amd64", "arm64"), as apt and dpkg spell it. */
    public String debianArch() {
        return debianArch;
    }

    /** The QEMU system emulator for this architecture ("qemu-system-x86_64"). */
    public String qemuSystemBinary() {
        return "qemu-system-" + unameMachine;
    }

    /** The architecture of the JVM's host, or {@code null} when it is neither x86_64 nor aarch64. */
    public static Arch host() {
        return parseOrNull(System.getProperty("os.arch", ""));
    }

    /** Parses "x86_64", "amd64", "aarch64", "arm64" (any case). */
    public static Arch parse(String name) {
        Arch arch = parseOrNull(name);
        if (arch == null) {
            throw new IllegalArgumentException("unknown architecture '" + name + "': use x86_64 or aarch64");
        }
        return arch;
    }

    private static Arch parseOrNull(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "x86_64": case "amd64": case "x86-64": return X86_64;
            case "aarch64": case "arm64": return AARCH64;
            default: return null;
        }
    }

    @Override
    public String toString() {
        return unameMachine;
    }
}
