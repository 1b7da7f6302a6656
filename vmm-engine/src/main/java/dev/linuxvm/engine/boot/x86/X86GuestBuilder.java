package dev.linuxvm.engine.boot.x86;

import dev.linuxvm.engine.VmmException.Kind;
import dev.linuxvm.engine.boot.AcpiProvider;
import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.DataPort;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.RamRange;
import dev.linuxvm.engine.loader.ElfKernel;
import dev.linuxvm.engine.loader.ElfVmlinuxLoader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Objects;

/**
 * Lays out an x86_64 direct-boot guest ({@link X86Layout}) and produces its {@link GuestImage}:
 * <ol>
 *   <li>load the vmlinux PT_LOAD segments at their p_paddr and check they fit in low RAM;</li>
 *   <li>place the initrd page-aligned at the top of RAM below the 32-bit hole and below
 *       initrd_addr_max (2 GiB), above the kernel;</li>
 *   <li>ask the {@link AcpiProvider} for the tables and the RSDP and check their room;</li>
 *   <li>build the e820 map: RAM, ACPI tables (type 3), the BIOS area 0xE0000-0xFFFFF (type 2),
 *       and RAM above 4 GiB for whatever exceeds {@link X86Layout#MMIO_HOLE_START};</li>
 *   <li>fill the zero page, the GDT, the page tables and the command line;</li>
 *   <li>set the BSP's long-mode entry state.</li>
 * </ol>
 * Memory above 3 GiB is remapped above 4 GiB in e820, so the 32-bit hole (IOAPIC, LAPIC) stays
 * free of RAM; the image's {@link GuestImage#ramRanges()} ({@link #ramRanges(long)}) say so, and
 * a backend maps exactly those.
 */
public final class X86GuestBuilder {
    private Path kernelPath;
    private byte[] kernelBytes;
    private ElfKernel kernel;
    private byte[] initrd;
    private KernelCmdline cmdline = KernelCmdline.empty();
    private long memory = 512L << 20;
    private int cpus = 1;
    private DataPort dataPort;
    private AcpiProvider acpi = AcpiProvider.NONE;

    /** Builder with 512 MiB, one vCPU, an empty command line, no initrd and no ACPI. */
    public static X86GuestBuilder create() {
        return new X86GuestBuilder();
    }

    /** The vmlinux to load; segments are read straight from the file. */
    public X86GuestBuilder kernel(Path vmlinux) {
        clearKernel();
        this.kernelPath = Objects.requireNonNull(vmlinux, "vmlinux");
        return this;
    }

    /** The vmlinux bytes (not modified; segment data is copied out of them once). */
    public X86GuestBuilder kernel(byte[] vmlinux) {
        clearKernel();
        this.kernelBytes = Objects.requireNonNull(vmlinux, "vmlinux");
        return this;
    }

    /** An already parsed kernel (lets callers prepare several guests from one parse). */
    public X86GuestBuilder kernel(ElfKernel parsed) {
        clearKernel();
        this.kernel = Objects.requireNonNull(parsed, "kernel");
        return this;
    }

    private void clearKernel() {
        kernelPath = null;
        kernelBytes = null;
        kernel = null;
    }

    /** The initrd bytes; the array is placed as is (not copied), do not modify it afterwards. */
    public X86GuestBuilder initrd(byte[] initrd) {
        this.initrd = initrd;
        return this;
    }

    /** Reads the initrd from a file. */
    public X86GuestBuilder initrd(Path file) {
        try {
            return initrd(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new X86BootException("cannot read initrd " + file + ": " + e.getMessage());
        }
    }

    public X86GuestBuilder cmdline(KernelCmdline cmdline) {
        this.cmdline = Objects.requireNonNull(cmdline, "cmdline");
        return this;
    }

    /** Parses and validates {@code cmdline} ({@link KernelCmdline#of}). */
    public X86GuestBuilder cmdline(String cmdline) {
        return cmdline(KernelCmdline.of(cmdline));
    }

    /** Guest RAM in bytes; a multiple of 4 KiB. */
    public X86GuestBuilder memory(long bytes) {
        this.memory = bytes;
        return this;
    }

    public X86GuestBuilder cpus(int cpus) {
        this.cpus = cpus;
        return this;
    }

    /**
     * Gives the guest the platform's data port ({@link DataPort#of}): the firmware tables
     * describe it and the image asks the executor for it.
     */
    public X86GuestBuilder dataPort(boolean enabled) {
        this.dataPort = enabled ? DataPort.of(Arch.X86_64) : null;
        return this;
    }

    /** Where the ACPI tables come from ({@link AcpiProvider#NONE} by default). */
    public X86GuestBuilder acpi(AcpiProvider provider) {
        this.acpi = Objects.requireNonNull(provider, "provider");
        return this;
    }

    /** Lays out the guest; see the class comment for the steps. */
    public GuestImage build() {
        if (memory <= 0 || memory % X86Layout.PAGE_SIZE != 0) {
            throw new X86BootException(String.format(
                    "guest memory %d bytes is not a positive multiple of 4 KiB: pass whole MiB", memory));
        }
        if (cpus < 1) {
            throw new X86BootException("guest needs at least one vCPU, got " + cpus);
        }
        long lowRamEnd = Math.min(memory, X86Layout.MMIO_HOLE_START);

        // 1. Kernel.
        ElfKernel k = loadKernel();
        k.requireInside(X86Layout.HIGH_MEMORY_START, lowRamEnd);

        // 2. Initrd.
        long initrdAddress = initrd == null ? 0 : placeInitrd(k.loadEnd(), initrd.length, lowRamEnd);

        // 3. ACPI.
        AcpiProvider.AcpiTables tables = acpi.build(new AcpiProvider.Request(
                X86Layout.ACPI_TABLES_START, X86Layout.ACPI_TABLES_END - X86Layout.ACPI_TABLES_START,
                cpus, 0, memory, Optional.ofNullable(dataPort)));
        checkAcpi(tables);

        // 4. e820 and 5. zero page.
        BootParams params = new BootParams();
        for (E820Entry entry : e820For(memory)) {
            params.addE820(entry);
        }
        byte[] cmdlineBytes = cmdline.toBytes();
        params.hdr.cmd_line_ptr = X86Layout.CMDLINE_START;
        params.hdr.cmdline_size = cmdline.limit() - 1;
        params.hdr.code32_start = k.loadStart();
        if (initrd != null) {
            params.hdr.ramdisk_image = initrdAddress;
            params.hdr.ramdisk_size = initrd.length;
        }
        byte[] zeroPage = params.toBytes();

        GuestImage.Builder image = GuestImage.builder(Arch.X86_64)
                .ram(ramRanges(memory))
                .cpus(cpus)
                .cmdline(cmdline.toString())
                .dataPort(dataPort)
                .region(MemoryRegion.of("GDT", X86Layout.GDT_START, Gdt.toBytes()))
                .region(MemoryRegion.of("zero page", X86Layout.ZERO_PAGE_START, zeroPage))
                .region(MemoryRegion.of("command line", X86Layout.CMDLINE_START, cmdlineBytes))
                .region(MemoryRegion.of("page tables", X86Layout.PAGE_TABLES_START, PageTables.toBytes()));
        k.segments().forEach(image::region);
        if (initrd != null) {
            image.region(MemoryRegion.of("initrd", initrdAddress, initrd));
        }
        if (tables != null) {
            image.region(MemoryRegion.of("ACPI tables", X86Layout.ACPI_TABLES_START, tables.tables()));
            image.region(MemoryRegion.of("RSDP", X86Layout.RSDP_START, tables.rsdp()));
            tables.artifacts().forEach(image::artifact);
        }

        // 6. BSP registers.
        image.bootState(LongModeEntry.at(k.entry()));
        image.artifact("zero-page.bin", zeroPage);
        image.artifact("e820.txt", e820Text(params.e820Table()).getBytes(StandardCharsets.UTF_8));
        return image.build();
    }

    private ElfKernel loadKernel() {
        if (kernel != null) {
            return kernel;
        }
        if (kernelPath != null) {
            return ElfVmlinuxLoader.load(kernelPath);
        }
        if (kernelBytes != null) {
            return ElfVmlinuxLoader.load(kernelBytes);
        }
        throw new X86BootException(Kind.INTERNAL, "no kernel given: pass the vmlinux with kernel(...)");
    }

    /**
     * Highest page-aligned address for an initrd of {@code length} bytes that ends at or below
     * min(lowRamEnd, initrd_addr_max + 1) and starts at or above the page after {@code kernelEnd}.
     */
    static long placeInitrd(long kernelEnd, long length, long lowRamEnd) {
        if (length == 0) {
            throw new X86BootException("initrd is empty: pass a cpio archive or no initrd at all");
        }
        long top = Math.min(lowRamEnd, X86Layout.INITRD_ADDR_LIMIT);
        long address = alignDown(top - length, X86Layout.PAGE_SIZE);
        long lowest = alignUp(kernelEnd, X86Layout.PAGE_SIZE);
        if (address < lowest) {
            long needed = lowest + alignUp(length, X86Layout.PAGE_SIZE);
            if (needed > X86Layout.INITRD_ADDR_LIMIT) {
                throw new X86BootException(String.format(
                        "initrd of %d bytes does not fit between the kernel end 0x%x and initrd_addr_max 0x%x:"
                                + " use a smaller initrd", length, lowest, X86Layout.INITRD_ADDR_LIMIT - 1));
            }
            throw new X86BootException(String.format(
                    "initrd of %d bytes does not fit between the kernel end 0x%x and the end of RAM 0x%x:"
                            + " give the guest at least %d MiB of memory",
                    length, lowest, lowRamEnd, (needed + (1 << 20) - 1) >> 20));
        }
        return address;
    }

    private static void checkAcpi(AcpiProvider.AcpiTables tables) {
        if (tables == null) {
            return;
        }
        long room = X86Layout.ACPI_TABLES_END - X86Layout.ACPI_TABLES_START;
        if (tables.tables().length > room) {
            throw new X86BootException(Kind.INTERNAL, String.format(
                    "ACPI tables are %d bytes, more than the %d bytes reserved at 0x%x: enlarge"
                            + " X86Layout's ACPI region", tables.tables().length, room, X86Layout.ACPI_TABLES_START));
        }
        long rsdpRoom = X86Layout.BIOS_RESERVED_END - X86Layout.RSDP_START;
        if (tables.rsdp().length == 0 || tables.rsdp().length > rsdpRoom) {
            throw new X86BootException(Kind.INTERNAL, String.format(
                    "RSDP is %d bytes: it must be 20 (ACPI 1.0) or 36 (ACPI 2.0+) bytes", tables.rsdp().length));
        }
    }

    /**
     * The e820 map for {@code memory} bytes of RAM: low RAM up to the ACPI tables, the ACPI
     * region, the reserved BIOS area, RAM from 1 MiB to min(memory, 3 GiB), and the remainder
     * above 4 GiB. The 0xA0000-0xDFFFF VGA/option-ROM hole is not listed at all, as on a PC.
     */
    public static List<E820Entry> e820For(long memory) {
        if (memory <= X86Layout.HIGH_MEMORY_START) {
            throw new X86BootException(String.format(
                    "guest memory 0x%x is not above 1 MiB: give the guest more memory", memory));
        }
        List<E820Entry> map = new ArrayList<>();
        map.add(new E820Entry(0, X86Layout.ACPI_TABLES_START, E820Entry.E820_RAM));
        map.add(new E820Entry(X86Layout.ACPI_TABLES_START,
                X86Layout.ACPI_TABLES_END - X86Layout.ACPI_TABLES_START, E820Entry.E820_ACPI));
        map.add(new E820Entry(X86Layout.BIOS_RESERVED_START,
                X86Layout.BIOS_RESERVED_END - X86Layout.BIOS_RESERVED_START, E820Entry.E820_RESERVED));
        long lowEnd = Math.min(memory, X86Layout.MMIO_HOLE_START);
        map.add(new E820Entry(X86Layout.HIGH_MEMORY_START, lowEnd - X86Layout.HIGH_MEMORY_START, E820Entry.E820_RAM));
        if (memory > X86Layout.MMIO_HOLE_START) {
            map.add(new E820Entry(X86Layout.HIGH_RAM_START, memory - X86Layout.MMIO_HOLE_START, E820Entry.E820_RAM));
        }
        return map;
    }

    /**
     * Where {@code memory} bytes of RAM are: [0, min(memory, 3 GiB)) and, for the rest, from
     * 4 GiB up; the e820 map ({@link #e820For(long)}) lists its RAM inside these ranges, and a
     * backend maps exactly them. The 0xA0000-0xFFFFF legacy area is RAM here, as on a PC
     * (e820 just does not offer it to the kernel).
     */
    public static List<RamRange> ramRanges(long memory) {
        long low = Math.min(memory, X86Layout.MMIO_HOLE_START);
        if (memory <= X86Layout.MMIO_HOLE_START) {
            return List.of(new RamRange(0, low));
        }
        return List.of(new RamRange(0, low),
                new RamRange(X86Layout.HIGH_RAM_START, memory - X86Layout.MMIO_HOLE_START));
    }

    private static String e820Text(List<E820Entry> map) {
        StringBuilder text = new StringBuilder();
        for (E820Entry entry : map) {
            text.append("BIOS-e820: ").append(entry).append('\n');
        }
        return text.toString();
    }

    private static long alignDown(long value, long alignment) {
        return value & -alignment;
    }

    private static long alignUp(long value, long alignment) {
        return Math.addExact(value, alignment - 1) & -alignment;
    }
}
