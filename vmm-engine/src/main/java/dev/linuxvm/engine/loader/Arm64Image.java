package dev.linuxvm.engine.loader;

import dev.linuxvm.engine.MemoryRegion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An uncompressed arm64 kernel {@code Image}, checked and ready to place
 * (Documentation/arch/arm64/booting.rst): the file's bytes, its load offset, and the memory it
 * needs including BSS. Anything that is not such an Image (gzip, EFI zboot, x86 kernels, ELF
 * vmlinux, truncated files) is rejected with one message naming the fix.
 */
public final class Arm64Image {
    /** booting.rst: the Image must be placed text_offset bytes from a 2 MiB aligned base. */
    public static final long BASE_ALIGNMENT = 2L << 20;

    private static final int GZIP_MAGIC = 0x8b1f;                 // RFC 1952 2.3.1: ID1 0x1f, ID2 0x8b
    private static final int ELF_MAGIC = 0x464c457f;              // "\x7fELF"
    private static final int ELF_E_MACHINE_OFFSET = 0x12;         // elf.h: Elf64_Ehdr.e_machine
    private static final int EM_X86_64 = 62;                      // elf.h
    private static final int EM_AARCH64 = 183;                    // elf.h
    private static final int MZ_MAGIC = 0x5a4d;                   // "MZ", PE/COFF DOS header
    private static final int ZBOOT_MAGIC_OFFSET = 4;              // zboot-header.S: "zimg" after "MZ" + 2 bytes
    private static final int ZBOOT_MAGIC = 0x676d697a;            // "zimg"
    private static final int ZBOOT_PAYLOAD_OFFSET = 8;            // zboot-header.S: payload offset, u32
    private static final int ZBOOT_COMP_TYPE_OFFSET = 0x18;       // zboot-header.S: NUL-terminated compression name
    private static final int BZIMAGE_HDRS_OFFSET = 0x202;         // x86 boot.rst: setup_header.header = "HdrS"
    private static final int BZIMAGE_HDRS = 0x53726448;           // "HdrS"

    /** Bytes read from the start of a file for the checks: every header field is in them. */
    private static final int HEAD_SIZE = 4096;

    private final String source;
    private final Path file;
    private final byte[] data;
    private final long length;
    private final Arm64ImageHeader header;
    private final long textOffset;
    private final long imageSize;

    private Arm64Image(String source, Path file, byte[] data, long length, Arm64ImageHeader header, long textOffset,
                       long imageSize) {
        this.source = source;
        this.file = file;
        this.data = data;
        this.length = length;
        this.header = header;
        this.textOffset = textOffset;
        this.imageSize = imageSize;
    }

    /**
     * Checks an Image file from its first {@value #HEAD_SIZE} bytes and its length; the rest is
     * read when the guest's memory is filled ({@link #region}).
     */
    public static Arm64Image load(Path file) {
        byte[] head;
        long length;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            length = ch.size();
            head = new byte[(int) Math.min(length, HEAD_SIZE)];
            ByteBuffer b = ByteBuffer.wrap(head);
            while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
                // until the head is full (the file is at least that long)
            }
            if (b.hasRemaining()) {
                throw new Arm64ImageException("kernel image " + file + " shrank while being read: copy the complete Image again");
            }
        } catch (NoSuchFileException e) {
            throw new Arm64ImageException("kernel image " + file + " does not exist: pass the path of an arm64 Image");
        } catch (IOException e) {
            throw new Arm64ImageException("kernel image " + file + " could not be read: " + e.getMessage(), e);
        }
        return check(file.toString(), head, length, file, null);
    }

    /**
     * Checks {@code bytes} as an arm64 Image; {@code source} names it in messages. The array is
     * kept, not copied.
     */
    public static Arm64Image parse(String source, byte[] bytes) {
        return check(source, bytes, bytes.length, null, bytes);
    }

    /** {@code bytes}: the file's first bytes (all of it, or at least {@value #HEAD_SIZE}); {@code length}: its length. */
    private static Arm64Image check(String source, byte[] bytes, long length, Path file, byte[] data) {
        String what = "kernel image " + source;
        if (bytes.length >= 2 && u16(bytes, 0) == GZIP_MAGIC) {
            throw new Arm64ImageException(what + " is gzip-compressed (an Image.gz): gunzip it and pass the"
                    + " uncompressed Image");
        }
        if (bytes.length >= 4 && u32(bytes, 0) == ELF_MAGIC) {
            int machine = bytes.length > ELF_E_MACHINE_OFFSET + 1 ? u16(bytes, ELF_E_MACHINE_OFFSET) : -1;
            if (machine == EM_AARCH64) {
                throw new Arm64ImageException(what + " is an arm64 ELF vmlinux: pass the raw Image"
                        + " (arch/arm64/boot/Image, or Debian's /boot/vmlinuz-*-arm64) instead");
            }
            throw new Arm64ImageException(what + " is an ELF file for "
                    + (machine == EM_X86_64 ? "x86_64" : "machine " + machine)
                    + ", not an arm64 Image: pass an arm64 Image for an aarch64 guest, or boot it as an x86_64 guest");
        }
        if (bytes.length >= ZBOOT_COMP_TYPE_OFFSET && u16(bytes, 0) == MZ_MAGIC
                && u32(bytes, ZBOOT_MAGIC_OFFSET) == ZBOOT_MAGIC) {
            long payload = u32(bytes, ZBOOT_PAYLOAD_OFFSET) & 0xffffffffL;
            String comp = cString(bytes, ZBOOT_COMP_TYPE_OFFSET, Arm64ImageHeader.MAGIC_OFFSET);
            throw new Arm64ImageException(String.format("%s is an EFI zboot image (%s-compressed Image inside a PE"
                    + " wrapper): extract the Image, e.g. tail -c +%d %s | %s > Image, and pass that",
                    what, comp, payload + 1, source, decompressor(comp)));
        }
        if (bytes.length >= BZIMAGE_HDRS_OFFSET + 4 && u32(bytes, BZIMAGE_HDRS_OFFSET) == BZIMAGE_HDRS) {
            throw new Arm64ImageException(what + " is an x86 bzImage: pass an arm64 Image for an aarch64 guest,"
                    + " or boot it as an x86_64 guest");
        }
        if (length < Arm64ImageHeader.SIZE) {
            throw new Arm64ImageException(what + " is " + length + " bytes, shorter than the "
                    + Arm64ImageHeader.SIZE + "-byte arm64 Image header: the file is truncated or not a kernel");
        }
        Arm64ImageHeader h = Arm64ImageHeader.read(bytes);
        if (h.magic() != Arm64ImageHeader.ARM64_IMAGE_MAGIC) {
            throw new Arm64ImageException(String.format("%s is not an arm64 Image (no \"ARM\\x64\" magic at 0x%x):"
                    + " pass arch/arm64/boot/Image", what, Arm64ImageHeader.MAGIC_OFFSET));
        }
        if ((h.flags() & Arm64ImageHeader.FLAG_BE) != 0) {
            throw new Arm64ImageException(what + " is a big-endian kernel: linuxvm runs little-endian guests;"
                    + " pass a little-endian arm64 Image");
        }
        int pageSize = h.pageSize();
        if (pageSize != 0 && pageSize != 4096) {
            throw new Arm64ImageException(what + " uses " + pageSize / 1024 + "K pages: the virt platform's"
                    + " cortex-a57 CPU is used with 4K-page kernels; pass a 4K-page arm64 Image");
        }
        long textOffset;
        long imageSize;
        if (h.image_size() == 0) {
            textOffset = Arm64ImageHeader.LEGACY_TEXT_OFFSET;
            imageSize = length;
        } else {
            textOffset = h.text_offset();
            imageSize = h.image_size();
            if (imageSize < 0 || textOffset < 0 || textOffset >= BASE_ALIGNMENT) {
                throw new Arm64ImageException(String.format("%s has a corrupt header (text_offset 0x%x,"
                        + " image_size 0x%x): pass an intact arm64 Image", what, textOffset, imageSize));
            }
            if (imageSize < length) {
                throw new Arm64ImageException(String.format("%s is %d bytes but its header's image_size is only"
                        + " %d: the file is not a single intact Image; pass arch/arm64/boot/Image", what,
                        length, imageSize));
            }
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw new Arm64ImageException(what + " is " + length + " bytes, more than a kernel Image can be here");
        }
        return new Arm64Image(source, file, data, length, h, textOffset, imageSize);
    }

    /** Where the Image came from (for messages). */
    public String source() {
        return source;
    }

    /** The file's bytes (not copied: do not modify); a loaded file is read now. */
    public byte[] data() {
        return data != null ? data : region("kernel", 0).data();
    }

    /**
     * The Image at {@code address}, zero-extended to {@link #imageSize()}: the file's bytes as a
     * {@link MemoryRegion#ofFile file slice} (read when needed) for a loaded file, else the array.
     */
    public MemoryRegion region(String name, long address) {
        return file != null ? MemoryRegion.ofFile(name, address, file, 0, (int) length, imageSize)
                : new MemoryRegion(name, address, data, imageSize);
    }

    public Arm64ImageHeader header() {
        return header;
    }

    /** Offset of the load address from its 2 MiB-aligned base (0x80000 for pre-3.17 kernels). */
    public long textOffset() {
        return textOffset;
    }

    /** Bytes the kernel occupies from its load address, BSS included (the file length for pre-3.17 kernels). */
    public long imageSize() {
        return imageSize;
    }

    /** Kernel page size from the header, 0 when unspecified. */
    public int pageSize() {
        return header.pageSize();
    }

    /** flags bit 3: the 2 MiB-aligned base may be anywhere in RAM (else: as low as possible). */
    public boolean placeAnywhere() {
        return (header.flags() & Arm64ImageHeader.FLAG_PHYS_PLACEMENT) != 0;
    }

    @Override
    public String toString() {
        return String.format("arm64 Image %s (%d bytes, text_offset 0x%x, image_size 0x%x, flags 0x%x)", source,
                length, textOffset, imageSize, header.flags());
    }

    private static String decompressor(String comp) {
        switch (comp) {
            case "gzip": return "gunzip";
            case "zstd": return "zstd -d";
            case "xz": return "unxz";
            case "lzma": return "unlzma";
            case "lz4": return "lz4 -d";
            case "lzo": return "lzop -d";
            case "bzip2": return "bunzip2";
            default: return "<" + comp + " decompressor>";
        }
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    private static int u32(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static String cString(byte[] b, int from, int limit) {
        int end = from;
        while (end < limit && end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, from, end - from, StandardCharsets.US_ASCII);
    }
}
