package dev.linuxvm.junit;

import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.launch.BackendChoice;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Boots a direct-booted Linux guest for the annotated test class or method and injects its
 * {@link SerialConsole}, {@link LinuxVmHandle}, {@link BootMode} and {@link dev.linuxvm.engine.Arch}
 * into test parameters. A method-level annotation overrides the class-level one and always gets
 * its own guest.
 *
 * <p>Under JUnit's parallel execution ({@code junit.jupiter.execution.parallel.enabled=true})
 * guests of different tests run at once, at most {@code linuxvm.maxParallelGuests} (default: the
 * host's processors); the others wait for a slot. The methods of a class with a per-class guest
 * run one after another ({@link PerClassGuestLock}).
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LinuxVmExtension.class)
@ResourceLock(providers = PerClassGuestLock.class)
public @interface LinuxVm {
    /** Guest architecture; {@link GuestArch#HOST} by default. */
    GuestArch arch() default GuestArch.HOST;

    /** Firmware description; {@link BootMode#DEVICE_TREE} on x86_64 is a configuration error. */
    BootMode mode() default BootMode.ACPI;

    /** Kernel path (ELF vmlinux / arm64 Image); empty means the {@link #provisioned()} kernel. */
    String kernel() default "";

    /**
     * The provisioned kernel to boot when {@link #kernel()} is empty: Debian's cloud kernel, or
     * {@link ProvisionedKernel#KUNIT} for the KUnit kernel of the guest's arch, whose suites become
     * tests through {@code KtapDynamicTests.from(console.bootKtap())}. Naming a {@link #kernel()}
     * file too is a configuration error.
     */
    ProvisionedKernel provisioned() default ProvisionedKernel.DEBIAN;

    /** Initramfs path; empty means the provisioned busybox initramfs. */
    String initrd() default "";

    /**
     * Kernel command line; empty means the default for the arch and executor
     * ({@link dev.linuxvm.engine.launch.DefaultCmdline#forArch}: the console, {@code panic=-1},
     * and under TCG on x86_64 {@code tsc_early_khz} and {@code tsc=reliable}). {@link LinuxVmHandle#cmdline()} and the
     * report's summary show the line actually used.
     */
    String cmdline() default "";

    /** Guest RAM in MiB. */
    int memory() default 512;

    /** Number of vCPUs. */
    int cpus() default 1;

    /** Executor choice. */
    BackendChoice backend() default BackendChoice.AUTO;

    /**
     * Seconds to wait for {@value dev.linuxvm.kernels.GuestInitramfs#READY_MARKER} before the test fails; multiplied by the
     * executor's timeout factor (see {@link TimeoutScale}).
     */
    int bootTimeout() default 60;

    /**
     * Host files and directories placed in the guest before boot; the same as {@link GuestFile}
     * annotations next to this one.
     */
    GuestFile[] files() default {};

    /**
     * Give the guest the data port: a virtio-console device on a virtio-mmio transport, described
     * in its firmware tables, with its modules (virtio_ring, virtio, virtio_mmio, virtio_console)
     * taken from the provisioned kernel's package. {@link LinuxVmHandle#copyIn} and
     * {@link LinuxVmHandle#copyOut} then use it instead of the serial console (3-5 MB/s in and
     * 100+ MB/s out under TCG, against 0.03-0.1 MB/s). The QEMU executor provides it; on the
     * KVM backend, which has no virtio-mmio console model yet, the copies use the console.
     */
    boolean dataPort() default false;

    /**
     * Start the guest from a snapshot (default): the first guest of a configuration (arch, mode,
     * executor, and kernel, initramfs with its files, command line, memory and vCPUs by content)
     * boots cold; the second boots to its shell prompt and is snapshotted, and it and every later
     * one is a private copy of that template, restored in a fraction of a boot, told the host's
     * time and given fresh randomness. Its
     * console starts with the template's boot transcript. {@code false} boots this test's guest
     * cold: for tests of the boot itself (timing, what a given boot prints after the prompt).
     * {@code -Dlinuxvm.snapshots=false} boots every guest of a run cold. A guest that cannot be
     * snapshotted or restored boots cold; the report says which happened and why.
     */
    boolean snapshot() default true;

    /** One guest per test method (default) or per class. */
    Lifecycle lifecycle() default Lifecycle.PER_METHOD;

    /**
     * Skip, rather than fail, the tests whose guest this host cannot run: no executor for the
     * arch ({@code qemu-system-<arch>} missing, {@code backend = KVM} without a usable /dev/kvm),
     * provisioning impossible, no launcher. Off by default: a test that did not run must not look
     * like one that passed unless asked for (as Testcontainers' {@code disabledWithoutDocker}).
     * {@code -Dlinuxvm.skipWhenUnavailable=true} turns it on for a whole run. Any other launch
     * error (a missing kernel file, a too-long command line) always fails.
     */
    boolean skipWhenUnavailable() default false;
}
