package dev.linuxvm.kernels;

import dev.linuxvm.engine.Arch;
import java.util.List;

/**
 * What building a KUnit kernel for one architecture takes: Linux's name for it, where the build
 * leaves the kernel our loaders take, the cross toolchain, and the options our platform needs on
 * top of Kconfig's defaults (each with the reason).
 *
 * @param arch            the guest architecture
 * @param linuxArch       {@code ARCH=} for make, and kunit.py's {@code --arch} / qemu_configs name
 * @param kernelPath      the uncompressed kernel in the build dir (x86_64: the ELF vmlinux)
 * @param crossPrefix     {@code CROSS_COMPILE=} when the host is another architecture
 * @param crossPackage    the Debian package of that cross compiler
 * @param platform        options our engine's platform needs
 */
record KunitTarget(Arch arch, String linuxArch, String kernelPath, String crossPrefix, String crossPackage,
                   List<Option> platform) {

    /** One config line and why it is there. */
    record Option(String line, String why) {
    }

    /** Both arches: reach our busybox userspace after the tests, with timestamps on the console. */
    private static final List<Option> COMMON = List.of(
        new Option("CONFIG_PCI=y", "ACPICA installs a PCI_Config region handler before loading the DSDT; without PCI that"
            + " fails (AE_BAD_PARAMETER 'During Region initialization'), no AML loads and poweroff just halts"),
        new Option("CONFIG_BLK_DEV_INITRD=y", "our busybox initramfs; kunit's config lacks it (DESIGN.md)"),
        new Option("CONFIG_RD_GZIP=y", "the initramfs and the exec overlay are gzip cpio archives"),
        new Option("CONFIG_DEVTMPFS=y", "/init mounts devtmpfs"),
        new Option("CONFIG_BINFMT_ELF=y", "busybox-static"),
        new Option("CONFIG_BINFMT_SCRIPT=y", "/init and /linuxvm/exec are scripts"),
        new Option("CONFIG_PROC_FS=y", "/init mounts proc"),
        new Option("CONFIG_SYSFS=y", "/init mounts sysfs"),
        new Option("CONFIG_PRINTK_TIME=y", "timestamps, as on Debian's kernels: the time to the last KTAP line is on the console"));

    static final KunitTarget X86_64 = new KunitTarget(Arch.X86_64, "x86_64", "vmlinux", "x86_64-linux-gnu-",
        "gcc-x86-64-linux-gnu", concat(COMMON, List.of(
            new Option("CONFIG_64BIT=y", "our x86 loader takes a 64-bit ELF vmlinux"),
            new Option("CONFIG_SMP=y", "every vCPU of --cpus N comes up (Kconfig's default on x86 is uniprocessor)"),
            new Option("CONFIG_ACPI=y", "CPUs, interrupt routing and power-off come from our ACPI tables"),
            new Option("CONFIG_SERIAL_8250=y", "the 16550 at 0x3f8 (ttyS0)"),
            new Option("CONFIG_SERIAL_8250_CONSOLE=y", "console=ttyS0 and earlyprintk"),
            new Option("CONFIG_HYPERVISOR_GUEST=y", "as Debian's cloud kernel: kvmclock under our KVM backend"),
            new Option("CONFIG_PARAVIRT=y", "needed by KVM_GUEST"),
            new Option("CONFIG_KVM_GUEST=y", "kvmclock under our KVM backend"))));

    static final KunitTarget ARM64 = new KunitTarget(Arch.AARCH64, "arm64", "arch/arm64/boot/Image", "aarch64-linux-gnu-",
        "gcc-aarch64-linux-gnu", concat(COMMON, List.of(
            new Option("CONFIG_ACPI=y", "ACPI mode (the default): our MADT, GTDT, SPCR, DSDT"),
            new Option("CONFIG_EFI=y", "ACPI mode enters through our EFI system table and memory map"),
            new Option("CONFIG_OF=y", "device-tree mode, and the /chosen node in both modes"),
            new Option("CONFIG_SERIAL_AMBA_PL011=y", "the PL011 (ttyAMA0)"),
            new Option("CONFIG_SERIAL_AMBA_PL011_CONSOLE=y", "console=ttyAMA0"),
            new Option("CONFIG_SERIAL_EARLYCON=y", "earlycon (through SPCR or stdout-path)"),
            new Option("CONFIG_ARM_GIC_V3=y", "our interrupt controller"),
            new Option("CONFIG_ARM_PSCI_FW=y", "CPU bring-up and power-off (SYSTEM_OFF)"))));

    static KunitTarget of(Arch arch) {
        return arch == Arch.X86_64 ? X86_64 : ARM64;
    }

    /** Whether building on this host needs {@link #crossPrefix()}. */
    boolean crossFrom(Arch host) {
        return host != arch;
    }

    private static List<Option> concat(List<Option> a, List<Option> b) {
        List<Option> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
