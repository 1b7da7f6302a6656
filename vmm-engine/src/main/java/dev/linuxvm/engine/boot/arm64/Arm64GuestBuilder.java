package dev.linuxvm.engine.boot.arm64;

import dev.linuxvm.engine.Arm64BootState;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.VmmException.Kind;
import dev.linuxvm.engine.boot.AcpiProvider;
import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.DataPort;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.efi.EfiMemoryAttribute;
import dev.linuxvm.engine.efi.EfiMemoryDescriptor;
import dev.linuxvm.engine.efi.EfiMemoryMap;
import dev.linuxvm.engine.efi.EfiMemoryType;
import dev.linuxvm.engine.loader.Arm64Image;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Optional;
import java.util.List;
import java.util.Objects;

/**
 * Lays out an arm64 guest on the {@link Arm64Layout} platform and produces its {@link GuestImage}.
 *
 * <ol>
 *   <li>Kernel at {@link Arm64Layout#KERNEL_BASE} + text_offset, reserving image_size (BSS). That base
 *       is the lowest 2 MiB boundary above QEMU's DTB area, which satisfies both values of the
 *       header's placement flag (bit 3: "as low as possible" / "anywhere").</li>
 *   <li>Initrd at the next 2 MiB boundary after the kernel's image_size.</li>
 *   <li>Device-tree mode: the full DT at {@link Arm64Layout#FIRMWARE_BASE}.</li>
 *   <li>ACPI mode: ACPI tables at {@link Arm64Layout#FIRMWARE_BASE}, then on the next page the EFI
 *       system table, configuration table, RT properties and memory map, then the /chosen stub
 *       DT. The memory map: RAM before the firmware window conventional, ACPI tables
 *       ACPI-reclaim (elsewhere the kernel refuses to map them later), EFI tables and stub DT
 *       boot-services data, kernel and initrd loader data, the rest conventional; all WB.</li>
 *   <li>Boot CPU: PC at the kernel, x0 at the DTB (booting.rst).</li>
 * </ol>
 */
public final class Arm64GuestBuilder {
    /** arch/arm64/include/uapi/asm/setup.h COMMAND_LINE_SIZE, including the NUL. */
    public static final int COMMAND_LINE_SIZE = 2048;
    /** Smallest RAM we lay out: the firmware window, a kernel and some room. */
    public static final long MIN_RAM_SIZE = 16L << 20;
    /** RAM size granularity (QEMU's -m granularity; also whole EFI pages). */
    public static final long RAM_GRANULE = 1L << 20;
    /** booting.rst: the DTB must be 8-byte aligned. */
    private static final long DTB_ALIGNMENT = 8;
    /** The RSDP's alignment (ACPI 6.4 §5.2.5.2: on a 16-byte boundary). */
    private static final long RSDP_ALIGNMENT = 16;
    /** Initrds start on a 2 MiB boundary, as the kernel's own base does. */
    private static final long INITRD_ALIGNMENT = 2L << 20;

    private final Arm64Image kernel;
    private long ramSize = 512L << 20;
    private int cpus = 1;
    private String cmdline = "";
    private byte[] initrd;
    private BootMode mode = BootMode.ACPI;
    private DataPort dataPort;
    private AcpiProvider acpi;

    private Arm64GuestBuilder(Arm64Image kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
    }

    public static Arm64GuestBuilder forKernel(Arm64Image kernel) {
        return new Arm64GuestBuilder(kernel);
    }

    /** Guest RAM in bytes (default 512 MiB), at {@link Arm64Layout#RAM_BASE}. */
    public Arm64GuestBuilder memory(long bytes) {
        this.ramSize = bytes;
        return this;
    }

    public Arm64GuestBuilder cpus(int count) {
        this.cpus = count;
        return this;
    }

    public Arm64GuestBuilder cmdline(String commandLine) {
        this.cmdline = Objects.requireNonNull(commandLine, "cmdline");
        return this;
    }

    /** Initrd/initramfs contents, or null for none. */
    public Arm64GuestBuilder initrd(byte[] contents) {
        this.initrd = contents;
        return this;
    }

    /** {@link BootMode#ACPI} (default) or {@link BootMode#DEVICE_TREE}. */
    public Arm64GuestBuilder mode(BootMode bootMode) {
        this.mode = Objects.requireNonNull(bootMode, "mode");
        return this;
    }

    /**
     * Gives the guest the platform's data port ({@link DataPort#of}): the firmware tables
     * describe it and the image asks the executor for it.
     */
    public Arm64GuestBuilder dataPort(boolean enabled) {
        this.dataPort = enabled ? DataPort.of(Arch.AARCH64) : null;
        return this;
    }

    /** The ACPI tables for ACPI mode. */
    public Arm64GuestBuilder acpi(AcpiProvider provider) {
        this.acpi = provider;
        return this;
    }

    /** Where {@link #build} places {@code kernel}: its text_offset above {@link Arm64Layout#KERNEL_BASE}. */
    public static long kernelLoadAddress(Arm64Image kernel) {
        return Arm64Layout.KERNEL_BASE + kernel.textOffset();
    }

    public GuestImage build() {
        validate();
        long ramEnd = Arm64Layout.RAM_BASE + ramSize;
        GuestImage.Builder guest = GuestImage.builder(Arch.AARCH64).ram(Arm64Layout.RAM_BASE, ramSize).cpus(cpus)
                .cmdline(cmdline).dataPort(dataPort);

        // 1. Kernel.
        long kernelLoad = kernelLoadAddress(kernel);
        // image_size comes from the file: compare, never add, until it is known to fit.
        if (kernel.imageSize() > ramEnd - kernelLoad) {
            throw new Arm64BootException(String.format("kernel %s needs 0x%x bytes (image_size) from 0x%x but guest"
                    + " RAM ends at 0x%x: give the guest at least %d MiB of memory", kernel.source(),
                    kernel.imageSize(), kernelLoad, ramEnd, mibAtLeast(kernelLoad, kernel.imageSize())));
        }
        long kernelEnd = kernelLoad + kernel.imageSize();
        guest.region(kernel.region("kernel", kernelLoad));

        // 2. Initrd.
        Arm64DeviceTree.InitrdRange initrdRange = null;
        if (initrd != null) {
            long start = alignUp(kernelEnd, INITRD_ALIGNMENT);
            long end = Math.addExact(start, initrd.length);
            if (end > ramEnd) {
                throw new Arm64BootException(String.format("initrd (%d bytes) does not fit in guest RAM after the"
                        + " kernel: it would end at 0x%x but RAM ends at 0x%x: give the guest at least %d MiB of"
                        + " memory", initrd.length, end, ramEnd, mibAtLeast(end)));
            }
            initrdRange = new Arm64DeviceTree.InitrdRange(start, end);
            guest.region(MemoryRegion.of("initrd", start, initrd));
        }

        // 3./4. Firmware window.
        byte[] dtb;
        long dtbAddress;
        if (mode == BootMode.DEVICE_TREE) {
            dtb = Arm64DeviceTree.full(cpus, ramSize, cmdline, initrdRange, Optional.ofNullable(dataPort));
            dtbAddress = Arm64Layout.FIRMWARE_BASE;
        } else {
            AcpiProvider.AcpiTables tables = acpi.build(new AcpiProvider.Request(Arm64Layout.FIRMWARE_BASE,
                    Arm64Layout.FIRMWARE_SIZE, cpus, Arm64Layout.RAM_BASE, ramSize, Optional.ofNullable(dataPort)));
            if (tables == null) {
                throw new Arm64BootException(Kind.INTERNAL, "ACPI mode needs ACPI tables: the AcpiProvider returned none");
            }
            // The EFI configuration table points at the RSDP, so it travels in the same region:
            // right after the last table, 16-byte aligned (ACPI 6.4 §5.2.5.2).
            int rsdpOffset = (int) alignUp(tables.tables().length, RSDP_ALIGNMENT);
            byte[] blob = Arrays.copyOf(tables.tables(), rsdpOffset + tables.rsdp().length);
            System.arraycopy(tables.rsdp(), 0, blob, rsdpOffset, tables.rsdp().length);
            long efiBase = alignUp(Arm64Layout.FIRMWARE_BASE + blob.length, EfiMemoryDescriptor.EFI_PAGE_SIZE);
            EfiMemoryMap map = memoryMap(efiBase, kernelEnd, initrdRange, ramEnd);
            Arm64EfiTables.Result efi = Arm64EfiTables.build(efiBase, Arm64Layout.FIRMWARE_BASE + rsdpOffset, map);
            dtb = Arm64DeviceTree.stub(cmdline, initrdRange,
                    new Arm64DeviceTree.EfiHandoff(efi.systemTable(), efi.mmapStart(), efi.mmapSize()));
            dtbAddress = alignUp(efiBase + efi.blob().length, DTB_ALIGNMENT);
            guest.region(MemoryRegion.of("ACPI tables", Arm64Layout.FIRMWARE_BASE, blob));
            guest.region(MemoryRegion.of("EFI tables", efiBase, efi.blob()));
            guest.artifact("acpi-tables.bin", blob);
            tables.artifacts().forEach(guest::artifact);
            guest.artifact("efi-tables.bin", efi.blob());
        }
        if (dtbAddress + dtb.length > Arm64Layout.KERNEL_BASE) {
            throw new Arm64BootException(Kind.INTERNAL, String.format("firmware blobs end at 0x%x, past the firmware window"
                    + " [0x%x-0x%x): the ACPI tables or the command line are too large",
                    dtbAddress + dtb.length, Arm64Layout.FIRMWARE_BASE, Arm64Layout.KERNEL_BASE));
        }
        guest.region(MemoryRegion.of("device tree", dtbAddress, dtb));
        guest.artifact("guest.dtb", dtb);

        // 5. Boot CPU.
        guest.bootState(new Arm64BootState(kernelLoad, dtbAddress));
        return guest.build();
    }

    private EfiMemoryMap memoryMap(long efiBase, long kernelEnd, Arm64DeviceTree.InitrdRange initrdRange,
                                   long ramEnd) {
        if (efiBase >= Arm64Layout.KERNEL_BASE) {
            throw new Arm64BootException(Kind.INTERNAL, String.format("ACPI tables end at 0x%x, leaving no room for the EFI tables"
                    + " below the kernel at 0x%x: the ACPI tables are too large", efiBase, Arm64Layout.KERNEL_BASE));
        }
        long wb = EfiMemoryAttribute.EFI_MEMORY_WB;
        List<EfiMemoryDescriptor> d = new ArrayList<>();
        d.add(EfiMemoryDescriptor.range(EfiMemoryType.EfiConventionalMemory, Arm64Layout.RAM_BASE,
                Arm64Layout.FIRMWARE_BASE, wb));
        d.add(EfiMemoryDescriptor.range(EfiMemoryType.EfiACPIReclaimMemory, Arm64Layout.FIRMWARE_BASE, efiBase, wb));
        d.add(EfiMemoryDescriptor.range(EfiMemoryType.EfiBootServicesData, efiBase, Arm64Layout.KERNEL_BASE, wb));
        long next = alignUp(kernelEnd, EfiMemoryDescriptor.EFI_PAGE_SIZE);
        d.add(EfiMemoryDescriptor.range(EfiMemoryType.EfiLoaderData, Arm64Layout.KERNEL_BASE, next, wb));
        if (initrdRange != null) {
            if (initrdRange.start() > next) {
                d.add(EfiMemoryDescriptor.range(EfiMemoryType.EfiConventionalMemory, next, initrdRange.start(), wb));
            }
            next = alignUp(initrdRange.end(), EfiMemoryDescriptor.EFI_PAGE_SIZE);
            if (next > initrdRange.start()) {
                d.add(EfiMemoryDescriptor.range(EfiMemoryType.EfiLoaderData, initrdRange.start(), next, wb));
            }
        }
        if (ramEnd > next) {
            d.add(EfiMemoryDescriptor.range(EfiMemoryType.EfiConventionalMemory, next, ramEnd, wb));
        }
        return new EfiMemoryMap(d);
    }

    private void validate() {
        if (ramSize < MIN_RAM_SIZE || ramSize > Arm64Layout.RAM_MAX_SIZE || ramSize % RAM_GRANULE != 0) {
            throw new Arm64BootException(String.format("guest memory of %d bytes is not usable: give a whole number"
                    + " of MiB between %d MiB and %d GiB", ramSize, MIN_RAM_SIZE >> 20, Arm64Layout.RAM_MAX_SIZE >> 30));
        }
        if (cpus < 1 || cpus > Arm64Layout.MAX_CPUS) {
            throw new Arm64BootException("guest with " + cpus + " vCPUs: the virt platform's GICv3 redistributor"
                    + " window holds 1 to " + Arm64Layout.MAX_CPUS);
        }
        int cmdlineBytes = cmdline.getBytes(StandardCharsets.UTF_8).length;
        if (cmdlineBytes >= COMMAND_LINE_SIZE) {
            throw new Arm64BootException("kernel command line is " + cmdlineBytes + " bytes: arm64 kernels take at"
                    + " most " + (COMMAND_LINE_SIZE - 1) + " (COMMAND_LINE_SIZE); shorten it");
        }
        if (cmdline.indexOf('\0') >= 0) {
            throw new Arm64BootException("kernel command line contains a NUL character: remove it");
        }
        if (mode == BootMode.ACPI && acpi == null) {
            throw new Arm64BootException(Kind.INTERNAL, "ACPI mode needs ACPI tables: pass an AcpiProvider with acpi(...),"
                    + " or choose BootMode.DEVICE_TREE");
        }
    }

    private static long alignUp(long value, long alignment) {
        return Math.addExact(value, alignment - 1) & -alignment;
    }

    private static long mibAtLeast(long end) {
        return (alignUp(end - Arm64Layout.RAM_BASE, RAM_GRANULE) >> 20);
    }

    /** As {@link #mibAtLeast(long)} for {@code start + size}, which may not fit in a long. */
    private static long mibAtLeast(long start, long size) {
        long below = start - Arm64Layout.RAM_BASE; // RAM before start: less than a GiB
        return (size >> 20) + ((below + (size & (RAM_GRANULE - 1)) + RAM_GRANULE - 1) >> 20);
    }
}
