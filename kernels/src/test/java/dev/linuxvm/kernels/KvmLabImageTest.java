package dev.linuxvm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.initramfs.CpioEntry;
import dev.linuxvm.engine.initramfs.CpioReader;
import dev.linuxvm.engine.initramfs.FileType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Provisions real labs (apt downloads, the host's QEMU on x86_64) into a temp lab root; the
 * guests and apt state come from the default cache, as in use.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvmLabImageTest {
    @TempDir
    static Path labRoot;

    private final Map<Arch, KvmLabImage.Assets> provisioned = new EnumMap<>(Arch.class);
    private final Map<Arch, List<String>> firstProgress = new EnumMap<>(Arch.class);

    private KvmLabImage lab(List<String> progress) {
        return KvmLabImage.of(TestKernels.fromEnvironment(progress::add), labRoot, System.getenv(), progress::add);
    }

    private synchronized KvmLabImage.Assets assets(Arch arch) {
        for (String tool : TestKernels.REQUIRED_TOOLS) {
            assumeTrue(HostCommand.onPath(tool), tool + " is not installed: the KVM lab is provisioned with apt and dpkg");
        }
        if (arch == Arch.X86_64) {
            assumeTrue(HostCommand.onPath(HostQemu.BINARY), "qemu-system-x86_64 is not installed: apt-get install qemu-system-x86");
        }
        return provisioned.computeIfAbsent(arch, a -> {
            List<String> progress = new CopyOnWriteArrayList<>();
            KvmLabImage.Assets assets = lab(progress).get(a, false);
            firstProgress.put(a, progress);
            return assets;
        });
    }

    @AfterAll
    void release() {
        provisioned.clear();
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void archive_holds_the_jvm_the_guest_and_nothing_of_the_initramfs_or_overlay(Arch arch) throws IOException {
        KvmLabImage.Assets a = assets(arch);
        TestKernel guest = TestKernels.forArch(arch);
        List<CpioEntry> entries = CpioReader.read(Files.readAllBytes(a.baseArchive()));
        Map<String, CpioEntry> tree = new java.util.LinkedHashMap<>();
        entries.forEach(e -> tree.put(e.name(), e));

        assertThat(tree.get(a.javaPath().substring(1))).as("java launcher").isNotNull()
            .satisfies(e -> assertThat(e.permissions() & 0111).isNotZero());
        String ldso = arch == Arch.X86_64 ? "lib64/ld-linux-x86-64.so.2" : "lib/ld-linux-aarch64.so.1";
        assertThat(tree).containsKey(ldso);
        assertThat(tree).containsKeys("usr/lib/jvm/java-17-openjdk-" + arch.debianArch() + "/lib/server/libjvm.so",
            "usr/lib/jvm/java-17-openjdk-" + arch.debianArch() + "/lib/modules");
        assertThat(tree.keySet()).noneMatch(n -> n.startsWith("usr/share/doc/") || n.startsWith("usr/share/man/")
            || n.endsWith(".jsa"));
        assertThat(tree.keySet()).doesNotContainAnyElementsOf(List.of("init", "bin/sh", "linuxvm/exec"));

        assertThat(sha256(tree.get(a.level2Kernel().substring(1)))).isEqualTo(guest.kernelSha256());
        assertThat(sha256(tree.get(a.level2Initramfs().substring(1)))).isEqualTo(guest.initramfsSha256());

        if (arch == Arch.X86_64) {
            assertThat(a.modules()).containsExactly("/lab/modules/irqbypass.ko", "/lab/modules/kvm.ko", "/lab/modules/kvm-amd.ko");
            for (String m : a.modules()) {
                assertThat(tree.get(m.substring(1)).data()).as(m).startsWith(0x7f, 'E', 'L', 'F');
            }
            assertThat(tree).containsKeys(a.qemuPath().substring(1), a.level2BzImage().substring(1),
                "usr/share/qemu/bios-microvm.bin", "usr/share/qemu/linuxboot_dma.bin");
            for (Path lib : HostQemu.libraries(Path.of(a.qemuPath()))) {
                assertThat(tree).as("qemu library").containsKey(lib.toString().substring(1));
            }
        } else {
            assertThat(a.modules()).isEmpty();
            assertThat(a.qemuPath()).isNull();
            assertThat(a.level2BzImage()).isNull();
        }

        // Directories precede their contents.
        Set<String> seen = new HashSet<>();
        for (CpioEntry e : entries) {
            int slash = e.name().lastIndexOf('/');
            if (slash > 0) {
                assertThat(seen).as("parent of %s", e.name()).contains(e.name().substring(0, slash));
            }
            if (e.type() == FileType.DIRECTORY) {
                seen.add(e.name());
            }
        }
    }

    @Test
    void a_cached_lab_is_reused_without_downloading() throws IOException {
        KvmLabImage.Assets first = assets(Arch.AARCH64);
        assertThat(firstProgress.get(Arch.AARCH64)).anyMatch(l -> l.contains("downloading"));
        FileTime written = Files.getLastModifiedTime(first.baseArchive());

        List<String> progress = new CopyOnWriteArrayList<>();
        KvmLabImage.Assets again = lab(progress).get(Arch.AARCH64, false);

        assertThat(again).isEqualTo(first);
        assertThat(progress).as("progress of the second provisioning").noneMatch(l -> l.contains("downloading"));
        assertThat(Files.getLastModifiedTime(again.baseArchive())).isEqualTo(written);
    }

    @Test
    void a_corrupt_archive_is_built_again() throws IOException {
        KvmLabImage.Assets first = assets(Arch.AARCH64);
        byte[] bytes = Files.readAllBytes(first.baseArchive());
        bytes[bytes.length / 2] ^= 1;
        Files.write(first.baseArchive(), bytes);
        // The per-JVM verification memo keys on size and mtime: make sure the mtime moves.
        Files.setLastModifiedTime(first.baseArchive(), FileTime.fromMillis(Files.getLastModifiedTime(first.baseArchive()).toMillis() + 2000));

        List<String> progress = new CopyOnWriteArrayList<>();
        KvmLabImage.Assets again = lab(progress).get(Arch.AARCH64, false);

        assertThat(progress).anyMatch(l -> l.contains("corrupt"));
        assertThat(again.key()).isEqualTo(first.key());
        assertThat(GuestCache.sha256(again.baseArchive())).isNotEqualTo(GuestCache.sha256(bytes));
    }

    @Test
    void key_changes_when_any_input_changes() {
        LabKey base = new LabKey(Arch.X86_64, "6.1.0-57-cloud-amd64", "6.1.192-3",
            Map.of("openjdk-17-jre-headless", "17.0.21.1+2-1~deb12u1", "libc6", "2.36-9+deb12u14"),
            "1:7.2+dfsg-7+deb12u18+b3 abc", "k", "i", 1);
        List<LabKey> changed = new ArrayList<>(List.of(
            new LabKey(Arch.AARCH64, base.kernelRelease(), base.kernelVersion(), base.packages(), base.qemu(), "k", "i", 1),
            new LabKey(Arch.X86_64, "6.1.0-58-cloud-amd64", base.kernelVersion(), base.packages(), base.qemu(), "k", "i", 1),
            new LabKey(Arch.X86_64, base.kernelRelease(), "6.1.192-4", base.packages(), base.qemu(), "k", "i", 1),
            new LabKey(Arch.X86_64, base.kernelRelease(), base.kernelVersion(),
                Map.of("openjdk-17-jre-headless", "17.0.21.1+2-1~deb12u1", "libc6", "2.36-9+deb12u15"), base.qemu(), "k", "i", 1),
            new LabKey(Arch.X86_64, base.kernelRelease(), base.kernelVersion(), base.packages(), "1:7.2 other", "k", "i", 1),
            new LabKey(Arch.X86_64, base.kernelRelease(), base.kernelVersion(), base.packages(), base.qemu(), "k2", "i", 1),
            new LabKey(Arch.X86_64, base.kernelRelease(), base.kernelVersion(), base.packages(), base.qemu(), "k", "i2", 1),
            new LabKey(Arch.X86_64, base.kernelRelease(), base.kernelVersion(), base.packages(), base.qemu(), "k", "i", 2)));

        assertThat(new LabKey(Arch.X86_64, "6.1.0-57-cloud-amd64", "6.1.192-3", base.packages(), base.qemu(), "k", "i", 1).value())
            .isEqualTo(base.value())
            .startsWith("6.1.0-57-cloud-amd64_6.1.192-3_jre-17.0.21.1+2-1_deb12u1_")
            .endsWith("_r1")
            .matches("[A-Za-z0-9._+-]+");
        assertThat(changed).extracting(LabKey::value).doesNotContain(base.value()).doesNotHaveDuplicates();
    }

    @Test
    void ldd_output_names_resolved_libraries_and_the_loader_but_not_the_vdso() {
        String ldd = """
            \tlinux-vdso.so.1 (0x00007ffd)
            \tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f1d)
            \t/lib64/ld-linux-x86-64.so.2 (0x00007f1e)
            """;
        assertThat(HostQemu.parseLdd(Path.of("/usr/bin/q"), ldd))
            .containsExactly(Path.of("/lib/x86_64-linux-gnu/libz.so.1"), Path.of("/lib64/ld-linux-x86-64.so.2"));
        assertThatThrownBy(() -> HostQemu.parseLdd(Path.of("/usr/bin/q"), "\tlibfoo.so.1 => not found\n"))
            .isInstanceOf(ProvisioningException.class).hasMessageContaining("libfoo.so.1");
    }

    @Test
    void archive_refuses_the_initramfs_init_and_leaves_out_documentation(@TempDir Path tmp) throws IOException {
        Path tree = tmp.resolve("tree");
        Files.createDirectories(tree.resolve("usr/share/doc/libc6"));
        Files.writeString(tree.resolve("usr/share/doc/libc6/copyright"), "c");
        Files.createDirectories(tree.resolve("usr/lib/x86_64-linux-gnu/gconv"));
        Files.writeString(tree.resolve("usr/lib/x86_64-linux-gnu/gconv/UTF-16.so"), "g");
        Files.writeString(tree.resolve("usr/lib/x86_64-linux-gnu/libz.so.1.2.13"), "z");
        Files.createSymbolicLink(tree.resolve("usr/lib/x86_64-linux-gnu/libz.so.1"), Path.of("libz.so.1.2.13"));

        LabArchive archive = new LabArchive();
        archive.addTree(tree);
        Path out = tmp.resolve("a.cpio");
        archive.writeTo(out);
        Map<String, CpioEntry> read = CpioReader.readTree(Files.readAllBytes(out));
        assertThat(read).containsKeys("usr/lib/x86_64-linux-gnu/libz.so.1.2.13").doesNotContainKeys(
            "usr/share/doc", "usr/share/doc/libc6/copyright", "usr/lib/x86_64-linux-gnu/gconv");
        assertThat(read.get("usr/lib/x86_64-linux-gnu/libz.so.1").linkTarget()).isEqualTo("libz.so.1.2.13");

        archive.addFile("/init", 0755, out);
        assertThatThrownBy(() -> archive.writeTo(tmp.resolve("b.cpio")))
            .isInstanceOf(ProvisioningException.class).hasMessageContaining("/init");
    }

    private static String sha256(CpioEntry e) {
        assertThat(e).isNotNull();
        return GuestCache.sha256(e.data());
    }
}
