package dev.linuxvm.engine.loader;

import dev.linuxvm.engine.MemoryRegion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Loads an uncompressed x86-64 Linux {@code vmlinux} (ELF64, little-endian, EM_X86_64,
 * ET_EXEC) for the 64-bit boot protocol: each PT_LOAD segment goes to its p_paddr with
 * p_filesz bytes from the file and zeros up to p_memsz; e_entry is startup_64. Anything else
 * (bzImage, compressed payloads, other machines, truncated files) is rejected with one
 * message naming the fix. Formats: System V ABI "ELF Header" and "Program Header"
 * (gABI ch. 4-5), include/uapi/linux/elf.h.
 */
public final class ElfVmlinuxLoader {
    private ElfVmlinuxLoader() {
    }

    /** sizeof(Elf64_Ehdr). */
    public static final int EHDR_SIZE = 64;
    /** sizeof(Elf64_Phdr). */
    public static final int PHDR_SIZE = 56;

    // e_ident indices and values.
    static final int EI_CLASS = 4;
    static final int EI_DATA = 5;
    static final int ELFCLASS64 = 2;
    static final int ELFDATA2LSB = 1;
    static final int ET_EXEC = 2;
    static final int PT_LOAD = 1;

    // Elf64_Ehdr field offsets.
    static final int E_TYPE = 16;
    static final int E_MACHINE = 18;
    static final int E_ENTRY = 24;
    static final int E_PHOFF = 32;
    static final int E_PHENTSIZE = 54;
    static final int E_PHNUM = 56;

    // Elf64_Phdr field offsets.
    static final int P_TYPE = 0;
    static final int P_FLAGS = 4;
    static final int P_OFFSET = 8;
    static final int P_VADDR = 16;
    static final int P_PADDR = 24;
    static final int P_FILESZ = 32;
    static final int P_MEMSZ = 40;

    /** p_flags bits, for region names. */
    static final int PF_X = 1;
    static final int PF_W = 2;
    static final int PF_R = 4;

    /** The fix for every "not a vmlinux" rejection. */
    static final String VMLINUX_FIX = "pass the uncompressed vmlinux ELF (extract it with the kernel's"
            + " scripts/extract-vmlinux: extract-vmlinux vmlinuz > vmlinux)";

    /**
     * Loads a vmlinux from a file: the headers are read and checked now, the segments are
     * slices of the file ({@link MemoryRegion#ofFile}), read when an executor needs them.
     */
    public static ElfKernel load(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return load(new ChannelSource(file, channel));
        } catch (IOException e) {
            throw new KernelImageException("cannot read kernel image " + file + ": " + e.getMessage(), e);
        }
    }

    /** Loads a vmlinux held in memory; each segment's bytes are copied once out of {@code image}. */
    public static ElfKernel load(byte[] image) {
        return load(new ArraySource(image));
    }

    private static ElfKernel load(Source source) {
        long fileSize = source.size();
        byte[] head = source.read(0, (int) Math.min(fileSize, KernelFormat.SNIFF_SIZE));
        KernelFormat format = KernelFormat.detect(head);
        rejectUnlessX86Elf(source.name(), format, head);
        if (fileSize < EHDR_SIZE) {
            throw truncated(source.name(), "ELF header", EHDR_SIZE, fileSize);
        }
        ByteBuffer ehdr = ByteBuffer.wrap(head, 0, EHDR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int type = Short.toUnsignedInt(ehdr.getShort(E_TYPE));
        if (type != ET_EXEC) {
            throw new KernelImageException(String.format(
                    "kernel image %s is an ELF of type %d, not ET_EXEC (%d): %s",
                    source.name(), type, ET_EXEC, "pass the kernel's vmlinux, not a module or object file"));
        }
        long entry = ehdr.getLong(E_ENTRY);
        long phoff = ehdr.getLong(E_PHOFF);
        int phentsize = Short.toUnsignedInt(ehdr.getShort(E_PHENTSIZE));
        int phnum = Short.toUnsignedInt(ehdr.getShort(E_PHNUM));
        if (phentsize != PHDR_SIZE || phnum == 0) {
            throw new KernelImageException(String.format(
                    "kernel image %s has %d program headers of %d bytes (expected %d-byte Elf64_Phdr entries): %s",
                    source.name(), phnum, phentsize, PHDR_SIZE, VMLINUX_FIX));
        }
        // Range checks, never sums that can overflow: every value here comes from the file.
        long phSize = (long) phnum * PHDR_SIZE; // at most 65535 * 56
        if (phoff < 0 || phoff > fileSize - phSize) {
            String fields = String.format(" (e_phoff 0x%x, e_phnum %d)", phoff, phnum);
            if (phoff < 0 || phoff > Long.MAX_VALUE - phSize) {
                throw new KernelImageException(String.format(Locale.ROOT, "kernel image %s is corrupt: e_phoff 0x%x"
                        + " puts its %d program headers past the end of the file (%d bytes): %s",
                        source.name(), phoff, phnum, fileSize, VMLINUX_FIX));
            }
            throw truncated(source.name(), "program headers", phoff + phSize, fileSize, fields);
        }
        ByteBuffer phdrs = ByteBuffer.wrap(source.read(phoff, phnum * PHDR_SIZE)).order(ByteOrder.LITTLE_ENDIAN);

        List<MemoryRegion> segments = new ArrayList<>();
        long physicalEntry = -1;
        for (int i = 0; i < phnum; i++) {
            int base = i * PHDR_SIZE;
            if (phdrs.getInt(base + P_TYPE) != PT_LOAD) {
                continue;
            }
            int flags = phdrs.getInt(base + P_FLAGS);
            long offset = phdrs.getLong(base + P_OFFSET);
            long vaddr = phdrs.getLong(base + P_VADDR);
            long paddr = phdrs.getLong(base + P_PADDR);
            long filesz = phdrs.getLong(base + P_FILESZ);
            long memsz = phdrs.getLong(base + P_MEMSZ);
            if (filesz < 0 || memsz < filesz || paddr < 0 || offset < 0) {
                throw new KernelImageException(String.format(
                        "kernel image %s: PT_LOAD %d is malformed (p_offset 0x%x, p_paddr 0x%x, p_filesz 0x%x,"
                                + " p_memsz 0x%x): %s", source.name(), i, offset, paddr, filesz, memsz, VMLINUX_FIX));
            }
            if (offset > fileSize - filesz) {
                if (offset > Long.MAX_VALUE - filesz) {
                    throw new KernelImageException(String.format(Locale.ROOT, "kernel image %s is corrupt: PT_LOAD %d"
                            + " has p_offset 0x%x and p_filesz 0x%x, past the end of the file (%d bytes): %s",
                            source.name(), i, offset, filesz, fileSize, VMLINUX_FIX));
                }
                throw truncated(source.name(), "PT_LOAD " + i + " data", offset + filesz, fileSize,
                        String.format(" (p_offset 0x%x, p_filesz 0x%x)", offset, filesz));
            }
            if (memsz > Long.MAX_VALUE - paddr) {
                throw new KernelImageException(String.format(
                        "kernel image %s: PT_LOAD %d has p_paddr 0x%x and p_memsz 0x%x, which end past the 64-bit"
                                + " address space: %s", source.name(), i, paddr, memsz, VMLINUX_FIX));
            }
            if (filesz > Integer.MAX_VALUE - 8) {
                throw new KernelImageException(String.format(
                        "kernel image %s: PT_LOAD %d has %d bytes, more than one segment can hold here: %s",
                        source.name(), i, filesz, "use a smaller kernel"));
            }
            // concatenation, not String.format: the first Formatter costs the CLI 10 ms of its start
            segments.add(source.region("kernel PT_LOAD " + i + " (" + flagString(flags) + ")",
                    paddr, offset, (int) filesz, memsz));
            // e_entry is physical for x86 vmlinux (startup_64 at p_paddr of the text), but
            // convert a virtual one through the segment that holds it.
            if (physicalEntry < 0 && Long.compareUnsigned(entry - paddr, memsz) < 0) {
                physicalEntry = entry;
            }
        }
        if (segments.isEmpty()) {
            throw new KernelImageException("kernel image " + source.name() + " has no PT_LOAD segments: " + VMLINUX_FIX);
        }
        if (physicalEntry < 0) {
            physicalEntry = virtualToPhysical(entry, phdrs, phnum);
        }
        if (physicalEntry < 0) {
            throw new KernelImageException(String.format(
                    "kernel image %s: e_entry 0x%x is in no PT_LOAD segment, neither as a physical nor as a"
                            + " virtual address: %s", source.name(), entry, VMLINUX_FIX));
        }
        segments.sort(Comparator.comparingLong(MemoryRegion::address));
        return new ElfKernel(physicalEntry, segments);
    }

    private static long virtualToPhysical(long entry, ByteBuffer phdrs, int phnum) {
        for (int i = 0; i < phnum; i++) {
            int base = i * PHDR_SIZE;
            if (phdrs.getInt(base + P_TYPE) != PT_LOAD) {
                continue;
            }
            long vaddr = phdrs.getLong(base + P_VADDR);
            long memsz = phdrs.getLong(base + P_MEMSZ);
            if (Long.compareUnsigned(entry - vaddr, memsz) < 0) {
                return phdrs.getLong(base + P_PADDR) + (entry - vaddr);
            }
        }
        return -1;
    }

    private static void rejectUnlessX86Elf(String name, KernelFormat format, byte[] head) {
        String what = "kernel image " + name + " is " + format.describe();
        switch (format.kind()) {
            case ELF:
                break;
            case BZIMAGE:
                throw new KernelImageException(what + ": " + VMLINUX_FIX);
            case ARM64_IMAGE:
            case EFI_ZBOOT:
                throw new KernelImageException(what + ", not an x86-64 kernel: pass an x86-64 vmlinux ELF,"
                        + " or boot this kernel as an aarch64 guest");
            case UNKNOWN:
                throw new KernelImageException(what + " (no ELF magic 7F 45 4C 46): " + VMLINUX_FIX);
            default:
                throw new KernelImageException(what + ": decompress it to the vmlinux ELF first"
                        + " (scripts/extract-vmlinux handles every kernel compression)");
        }
        if (head.length <= EI_DATA) {
            throw truncated(name, "ELF header", EHDR_SIZE, head.length);
        }
        if (head[EI_CLASS] != ELFCLASS64) {
            throw new KernelImageException(String.format(
                    "kernel image %s is a %s ELF (EI_CLASS %d), not ELF64: pass a 64-bit x86-64 vmlinux",
                    name, head[EI_CLASS] == 1 ? "32-bit" : "malformed", head[EI_CLASS]));
        }
        if (head[EI_DATA] != ELFDATA2LSB) {
            throw new KernelImageException(String.format(
                    "kernel image %s is a big-endian ELF (EI_DATA %d): pass a little-endian x86-64 vmlinux",
                    name, head[EI_DATA]));
        }
        if (format.elfMachine() == -1) {
            throw truncated(name, "ELF header", EHDR_SIZE, head.length);
        }
        if (format.elfMachine() != KernelFormat.EM_X86_64) {
            throw new KernelImageException(what + ", not x86-64: pass an x86-64 vmlinux"
                    + (format.elfMachine() == KernelFormat.EM_AARCH64
                    ? " (an arm64 kernel boots as an aarch64 guest from its Image file)" : ""));
        }
    }

    private static KernelImageException truncated(String name, String part, long needed, long size) {
        return truncated(name, part, needed, size, "");
    }

    /** {@code fields}: the header fields that say where the part is, e.g. " (e_phoff 0x40, e_phnum 2)". */
    private static KernelImageException truncated(String name, String part, long needed, long size, String fields) {
        return new KernelImageException(String.format(Locale.ROOT,
                "kernel image %s is truncated: its %s end at byte %d but the file has %d bytes%s:"
                        + " copy the complete vmlinux again", name, part, needed, size, fields));
    }

    private static String flagString(int flags) {
        return ((flags & PF_R) != 0 ? "R" : "") + ((flags & PF_W) != 0 ? "W" : "") + ((flags & PF_X) != 0 ? "X" : "");
    }

    /** Random access to the image's bytes. */
    private interface Source {
        String name();

        long size();

        byte[] read(long offset, int length);

        /** {@code length} bytes at {@code offset}, placed at {@code address}, zero-extended to {@code size}. */
        default MemoryRegion region(String regionName, long address, long offset, int length, long size) {
            return new MemoryRegion(regionName, address, read(offset, length), size);
        }
    }

    private static final class ArraySource implements Source {
        private final byte[] image;

        ArraySource(byte[] image) {
            this.image = image;
        }

        @Override
        public String name() {
            return "(" + image.length + " bytes)";
        }

        @Override
        public long size() {
            return image.length;
        }

        @Override
        public byte[] read(long offset, int length) {
            return Arrays.copyOfRange(image, (int) offset, (int) offset + length);
        }
    }

    private static final class ChannelSource implements Source {
        private final Path file;
        private final String name;
        private final FileChannel channel;
        private final long size;

        ChannelSource(Path file, FileChannel channel) throws IOException {
            this.file = file;
            this.name = file.toString();
            this.channel = channel;
            this.size = channel.size();
        }

        /** A slice of the file, read when needed (or copied file to file by the QEMU executor). */
        @Override
        public MemoryRegion region(String regionName, long address, long offset, int length, long size) {
            return MemoryRegion.ofFile(regionName, address, file, offset, length, size);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public byte[] read(long offset, int length) {
            byte[] data = new byte[length];
            ByteBuffer buf = ByteBuffer.wrap(data);
            try {
                while (buf.hasRemaining()) {
                    if (channel.read(buf, offset + buf.position()) < 0) {
                        throw new KernelImageException("kernel image " + name + " shrank while being read: "
                                + "copy the complete vmlinux again");
                    }
                }
            } catch (IOException e) {
                throw new KernelImageException("cannot read kernel image " + name + ": " + e.getMessage(), e);
            }
            return data;
        }
    }
}
