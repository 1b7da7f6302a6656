package dev.linuxvm.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.loader.KernelFormat;
import dev.linuxvm.engine.VmmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cache bookkeeping and overrides, without the network. */
class TestKernelsTest {

    @Test
    void cache_dir_follows_linuxvm_cache_then_xdg() {
        assertThat(TestKernels.defaultCacheDir(Map.of("LINUXVM_CACHE", "/c", "XDG_CACHE_HOME", "/x"))).isEqualTo(Path.of("/c"));
        assertThat(TestKernels.defaultCacheDir(Map.of("XDG_CACHE_HOME", "/x"))).isEqualTo(Path.of("/x/linuxvm"));
        assertThat(TestKernels.defaultCacheDir(Map.of()))
            .isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "linuxvm"));
    }

    @Test
    void both_overrides_are_used_without_provisioning(@TempDir Path dir) throws Exception {
        Path kernel = Files.writeString(dir.resolve("vmlinux"), "k");
        Path initrd = Files.writeString(dir.resolve("initrd"), "i");
        TestKernels kernels = TestKernels.of(dir.resolve("never-created"),
            Map.of("LINUXVM_KERNEL_X86_64", kernel.toString(), "LINUXVM_INITRD_X86_64", initrd.toString()), s -> { });

        TestKernel k = kernels.get(Arch.X86_64);

        assertThat(k.kernel()).isEqualTo(kernel);
        assertThat(k.initramfs()).isEqualTo(initrd);
        assertThat(k.kernelRelease()).isEqualTo(TestKernel.CUSTOM);
        assertThat(k.kernelSha256()).isEqualTo("8254c329a92850f6d539dd376f4816ee2764517da5e0235514af433164480d7a");
        assertThat(dir.resolve("never-created")).doesNotExist();
    }

    @Test
    void the_kernel_hint_is_the_override_or_the_cached_entrys_kernel_and_null_without_either(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        assertThat(TestKernels.of(cache, Map.of(), s -> { }).kernelHint(Arch.X86_64)).isNull();
        assertThat(cache).doesNotExist();

        Path kernel = Files.writeString(dir.resolve("vmlinux"), "k");
        assertThat(TestKernels.of(cache, Map.of("LINUXVM_KERNEL_X86_64", kernel.toString()), s -> { }).kernelHint(Arch.X86_64))
            .isEqualTo(kernel);

        Path entry = Files.createDirectories(cache.resolve("guests/aarch64/some-entry"));
        Files.writeString(entry.resolve("guest.properties"), "kernel.file=Image\n");
        Files.writeString(cache.resolve("guests/aarch64/current"), "some-entry\n");
        assertThat(TestKernels.of(cache, Map.of(), s -> { }).kernelHint(Arch.AARCH64)).as("unverified: a hint")
            .isEqualTo(entry.resolve("Image"));
    }

    @Test
    void a_guest_not_in_the_cache_is_not_provisioned_when_only_a_provisioned_one_is_asked_for(@TempDir Path dir)
            throws Exception {
        java.util.List<String> progress = new java.util.ArrayList<>();
        TestKernels empty = TestKernels.of(dir.resolve("cache"), Map.of(), progress::add);
        assertThat(empty.getIfProvisioned(Arch.X86_64)).isNull();
        assertThat(progress).isEmpty();
        assertThat(dir.resolve("cache").resolve("apt")).doesNotExist();

        Path kernel = Files.writeString(dir.resolve("vmlinux"), "k");
        Path initrd = Files.writeString(dir.resolve("initrd"), "i");
        TestKernels overridden = TestKernels.of(dir.resolve("never-created"),
            Map.of("LINUXVM_KERNEL_X86_64", kernel.toString(), "LINUXVM_INITRD_X86_64", initrd.toString()), s -> { });
        assertThat(overridden.getIfProvisioned(Arch.X86_64).kernel()).isEqualTo(kernel);
    }

    @Test
    void missing_override_file_is_named_in_the_error(@TempDir Path dir) {
        TestKernels kernels = TestKernels.of(dir, Map.of("LINUXVM_KERNEL_AARCH64", "/nonexistent/Image"), s -> { });
        assertThatThrownBy(() -> kernels.get(Arch.AARCH64)).isInstanceOf(ProvisioningException.class)
            .hasMessageContaining("LINUXVM_KERNEL_AARCH64=/nonexistent/Image does not name a readable file")
            .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.HOST_ENVIRONMENT);
    }

    @Test
    void busybox_check_reads_the_elf_machine_with_the_engine_and_fails_as_provisioning() {
        byte[] arm = KernelExtractorTest.minimalElf(KernelFormat.EM_AARCH64);
        TestKernels.checkBusybox(Arch.AARCH64, arm);
        assertThatThrownBy(() -> TestKernels.checkBusybox(Arch.X86_64, arm)).isInstanceOf(ProvisioningException.class)
            .hasMessage("busybox-static for x86_64 has ELF e_machine 183, expected 62")
            .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.HOST_ENVIRONMENT);
        assertThatThrownBy(() -> TestKernels.checkBusybox(Arch.X86_64, new byte[64])).isInstanceOf(ProvisioningException.class)
            .hasMessageContaining("busybox-static for x86_64 is not an ELF file");
        assertThat(new KernelFormatException("x").kind()).isEqualTo(VmmException.Kind.HOST_ENVIRONMENT);
    }

    @Test
    void stored_guest_is_reused_and_a_corrupted_one_is_not(@TempDir Path dir) throws Exception {
        GuestCache cache = new GuestCache(dir);
        List<String> log = new ArrayList<>();
        TestKernel stored = cache.store(Arch.AARCH64, "k1", new byte[] {1, 2, 3}, new byte[] {4, 5}, "6.1.0-1-cloud-arm64",
            "6.1.1-1", "1:1.35");

        TestKernel reused = cache.current(Arch.AARCH64, log::add);
        assertThat(reused).isEqualTo(stored);
        assertThat(reused.kernelPackageVersion()).isEqualTo("6.1.1-1");
        assertThat(Files.readString(dir.resolve("guests/aarch64/current")).trim()).isEqualTo("k1");
        assertThat(dir.resolve("guests/aarch64/k1")).isDirectoryNotContaining("glob:**.tmp-*");

        Files.write(stored.kernel(), new byte[] {1, 2, 4}); // same size, different bytes
        assertThat(cache.current(Arch.AARCH64, log::add)).isNull();
        assertThat(log).anyMatch(l -> l.contains("corrupt"));

        Files.delete(stored.kernel().resolveSibling(GuestCache.MANIFEST));
        assertThat(cache.current(Arch.AARCH64, log::add)).isNull();
    }

    @Test
    void a_verified_file_is_not_hashed_again_until_it_changes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vmlinux");
        Files.write(file, new byte[] {1, 2, 3});
        String sha = GuestCache.sha256(new byte[] {1, 2, 3});
        assertThat(GuestCache.verified(file, sha)).isTrue();
        Path stamp = GuestCache.stampOf(file);
        assertThat(stamp).exists(); // a later JVM reads it instead of hashing

        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(file);
        Files.write(file, new byte[] {1, 2, 4}); // same size, different bytes, mtime set back: ctime still moves
        Files.setLastModifiedTime(file, mtime);
        assertThat(GuestCache.verified(file, sha)).isFalse();
        assertThat(GuestCache.verified(file, GuestCache.sha256(new byte[] {1, 2, 4}))).isTrue();
    }

    @Test
    void without_apt_the_error_names_the_tools_and_the_overrides(@TempDir Path dir) {
        TestKernels kernels = TestKernels.of(dir, Map.of("PATH", dir.resolve("empty-bin").toString()), s -> { });
        assertThatThrownBy(() -> kernels.get(Arch.X86_64)).isInstanceOf(ProvisioningException.class)
            .hasMessageContaining("apt-get, apt-cache, dpkg-deb not found")
            .hasMessageContaining("LINUXVM_KERNEL_X86_64")
            .hasMessageContaining("LINUXVM_INITRD_X86_64");
    }

    @Test
    void cache_key_has_no_path_separators_or_colons() {
        assertThat(TestKernels.sanitize("6.1.0-56-cloud-amd64_6.1.192-2_busybox-1:1.35.0-4+deb12u1+b1_r2"))
            .isEqualTo("6.1.0-56-cloud-amd64_6.1.192-2_busybox-1_1.35.0-4+deb12u1+b1_r2");
        assertThat(TestKernels.sanitize("a/b")).isEqualTo("a_b");
    }
}
