package dev.linuxvm.engine.launch;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.VmmException;
import dev.linuxvm.engine.acpi.AcpiLayout;
import dev.linuxvm.engine.acpi.Arm64AcpiParams;
import dev.linuxvm.engine.acpi.Arm64AcpiTables;
import dev.linuxvm.engine.acpi.MemoryRange;
import dev.linuxvm.engine.acpi.PlacedTable;
import dev.linuxvm.engine.acpi.X86AcpiParams;
import dev.linuxvm.engine.acpi.X86AcpiTables;
import dev.linuxvm.engine.boot.AcpiProvider;
import dev.linuxvm.engine.boot.arm64.Arm64GuestBuilder;
import dev.linuxvm.engine.boot.x86.E820Entry;
import dev.linuxvm.engine.boot.x86.X86GuestBuilder;
import dev.linuxvm.engine.loader.Arm64Image;
import dev.linuxvm.engine.loader.ElfKernel;
import dev.linuxvm.engine.loader.ElfVmlinuxLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link GuestImage} for a {@link GuestSpec}: the per-architecture loader and boot
 * builder, with this project's ACPI tables plugged in. The one place that joins the loaders,
 * the firmware-table builders and the platform layouts.
 */
public final class GuestFactory {
    private GuestFactory() {
    }

    public static GuestImage build(GuestSpec spec) {
        return build(spec, load(spec.arch(), spec.kernel()));
    }

    /**
     * {@link #build(GuestSpec)} with the kernel {@link #load} parsed already (a caller that
     * wants its {@link Kernel#regions} while the rest is built).
     *
     * @throws IllegalArgumentException when {@code kernel} is not {@code spec}'s
     */
    public static GuestImage build(GuestSpec spec, Kernel kernel) {
        if (kernel.arch != spec.arch() || !kernel.path.equals(spec.kernel())) {
            throw new IllegalArgumentException("kernel " + kernel.path + " (" + kernel.arch + ") is not the spec's "
                    + spec.kernel() + " (" + spec.arch() + ")");
        }
        switch (spec.arch()) {
            case X86_64:
                return x86(spec, kernel.x86);
            case AARCH64:
                return arm64(spec, kernel.arm64);
            default:
                throw new IllegalStateException(spec.arch().toString());
        }
    }

    /** {@code file} parsed as {@code arch}'s kernel, as {@link #build(GuestSpec)} parses it. */
    public static Kernel load(Arch arch, Path file) {
        requireReadable(file, "kernel");
        return switch (arch) {
            case X86_64 -> new Kernel(arch, file, ElfVmlinuxLoader.load(file), null);
            case AARCH64 -> new Kernel(arch, file, null, Arm64Image.load(file));
        };
    }

    /** A parsed kernel, and where {@link #build} places it. */
    public static final class Kernel {
        private final Arch arch;
        private final Path path;
        private final ElfKernel x86;
        private final Arm64Image arm64;

        private Kernel(Arch arch, Path path, ElfKernel x86, Arm64Image arm64) {
            this.arch = arch;
            this.path = path;
            this.x86 = x86;
            this.arm64 = arm64;
        }

        /** The regions of the guest image that hold the kernel: its PT_LOAD segments, or its Image. */
        public List<MemoryRegion> regions() {
            return x86 != null ? x86.segments()
                    : List.of(arm64.region("kernel", Arm64GuestBuilder.kernelLoadAddress(arm64)));
        }
    }

    private static GuestImage x86(GuestSpec spec, ElfKernel kernel) {
        X86GuestBuilder b = X86GuestBuilder.create()
                .kernel(kernel)
                .cmdline(spec.cmdline())
                .memory(spec.memoryBytes())
                .cpus(spec.cpus())
                .dataPort(spec.dataPort())
                .acpi(request -> {
                    // The SRAT must describe exactly the RAM the e820 map lists: RAM outside every
                    // SRAT range lands in a bogus NUMA node and 6.1 oopses in free_area_init.
                    List<MemoryRange> ram = X86GuestBuilder.e820For(request.ramSize()).stream()
                            .filter(e -> e.type() == E820Entry.E820_RAM)
                            .map(e -> new MemoryRange(e.addr(), e.size()))
                            .toList();
                    X86AcpiParams params = X86AcpiParams.defaults(request.cpus(), ram);
                    params = request.dataPort().map(params::withDataPort).orElse(params);
                    AcpiLayout layout = X86AcpiTables.tableSet(params).layout(request.tablesAddress());
                    return new AcpiProvider.AcpiTables(layout.blob(), layout.rsdp(), artifacts(layout));
                });
        if (spec.initrd() != null) {
            b.initrd(spec.initrd());
        }
        return b.build();
    }

    private static GuestImage arm64(GuestSpec spec, Arm64Image kernel) {
        Arm64GuestBuilder b = Arm64GuestBuilder.forKernel(kernel)
                .memory(spec.memoryBytes())
                .cpus(spec.cpus())
                .cmdline(spec.cmdline())
                .mode(spec.mode())
                .dataPort(spec.dataPort())
                .acpi(request -> {
                    Arm64AcpiParams params = Arm64AcpiParams.qemuVirt(request.cpus());
                    params = request.dataPort().map(params::withDataPort).orElse(params);
                    AcpiLayout layout = Arm64AcpiTables.tableSet(params).layout(request.tablesAddress());
                    return new AcpiProvider.AcpiTables(layout.blob(), layout.rsdp(), artifacts(layout));
                });
        if (spec.initrd() != null) {
            b.initrd(spec.initrd());
        }
        return b.build();
    }

    private static Map<String, byte[]> artifacts(AcpiLayout layout) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("RSDP.dat", layout.rsdp());
        for (PlacedTable t : layout.tables()) {
            files.put(t.fileName(), t.bytes());
        }
        return files;
    }

    private static void requireReadable(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new VmmException(VmmException.Kind.BAD_INPUT, what + " " + file + " does not exist or is not a file: check the path");
        }
        if (!Files.isReadable(file)) {
            throw new VmmException(VmmException.Kind.BAD_INPUT, what + " " + file + " is not readable: check its permissions");
        }
    }
}
