package dev.linuxvm.engine.launch;

import dev.linuxvm.engine.GuestImage;
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
        requireReadable(spec.kernel(), "kernel");
        switch (spec.arch()) {
            case X86_64:
                return x86(spec);
            case AARCH64:
                return arm64(spec);
            default:
                throw new IllegalStateException(spec.arch().toString());
        }
    }

    private static GuestImage x86(GuestSpec spec) {
        X86GuestBuilder b = X86GuestBuilder.create()
                .kernel(spec.kernel())
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

    private static GuestImage arm64(GuestSpec spec) {
        Arm64GuestBuilder b = Arm64GuestBuilder.forKernel(Arm64Image.load(spec.kernel()))
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
