package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a KVM lab entry is built from; {@link #value()} is its cache directory name.
 *
 * @param arch             the lab's architecture
 * @param kernelRelease    the shared level-1 / level-2 kernel, e.g. "6.1.0-57-cloud-amd64"
 * @param kernelVersion    its linux-image package version
 * @param packages         package name to version for the JVM and its libraries
 * @param qemu             x86_64: "qemu-system-x86 version + fingerprint of the host files"; else null
 * @param guestKernelSha256    the provisioned level-2 kernel
 * @param guestInitramfsSha256 the provisioned level-2 initramfs
 * @param revision         {@link KvmLabImage#REVISION}: the archive layout
 */
record LabKey(Arch arch, String kernelRelease, String kernelVersion, Map<String, String> packages, String qemu,
              String guestKernelSha256, String guestInitramfsSha256, int revision) {

    LabKey {
        packages = Map.copyOf(packages);
    }

    /** One "name=value" line per input, sorted: what the key hashes, and what the manifest records. */
    String describe() {
        Map<String, String> lines = new TreeMap<>();
        lines.put("arch", arch.unameMachine());
        lines.put("kernel.release", kernelRelease);
        lines.put("kernel.package.version", kernelVersion);
        packages.forEach((name, version) -> lines.put("package." + name, version));
        if (qemu != null) {
            lines.put("qemu", qemu);
        }
        lines.put("guest.kernel.sha256", guestKernelSha256);
        lines.put("guest.initramfs.sha256", guestInitramfsSha256);
        lines.put("revision", Integer.toString(revision));
        StringBuilder s = new StringBuilder();
        lines.forEach((k, v) -> s.append(k).append('=').append(v).append('\n'));
        return s.toString();
    }

    /**
     * "6.1.0-57-cloud-amd64_6.1.192-3_jre-17.0.21.1+2-1~deb12u1_&lt;12 hex of the inputs&gt;_r1":
     * readable where it can be, and any input change gives a new name.
     */
    String value() {
        String hash = GuestCache.sha256(describe().getBytes(StandardCharsets.UTF_8)).substring(0, 12);
        String jre = packages.getOrDefault(KvmLabImage.JRE_PACKAGE, "none");
        return TestKernels.sanitize(kernelRelease + "_" + kernelVersion + "_jre-" + jre + "_" + hash + "_r" + revision);
    }
}
