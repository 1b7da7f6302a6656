package dev.linuxvm.junit;

import dev.linuxvm.engine.backend.RunningVm;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A started guest as the extension sees it.
 *
 * @param vm            the running guest; the extension closes it
 * @param backend       the executor's {@link dev.linuxvm.engine.backend.Backend#name()} ("kvm", "qemu-tcg")
 * @param backendReason why that executor was chosen (its availability reason)
 * @param kernel        the kernel file actually booted
 * @param initrd        the initramfs actually used (null when none)
 * @param cmdline       the command line the guest got
 * @param artifacts     generated firmware blobs by file name ({@code GuestImage.artifacts()})
 */
public record LaunchedGuest(RunningVm vm, String backend, String backendReason, Path kernel, Path initrd,
                            String cmdline, Map<String, byte[]> artifacts) {
    public LaunchedGuest {
        Objects.requireNonNull(vm, "vm");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(backendReason, "backendReason");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(cmdline, "cmdline");
        artifacts = Map.copyOf(artifacts);
    }
}
