package dev.linuxvm.kernels;

import dev.linuxvm.engine.loader.KernelFormat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Turns a distribution's {@code vmlinuz} into what linuxvm boots: the ELF {@code vmlinux} on
 * x86_64 and the raw {@code Image} on arm64. This is a provisioning step only; the engine's boot
 * path keeps rejecting compressed kernels.
 *
 * <p>Supported: x86 bzImage with an LZ4-legacy or gzip payload; arm64 raw Image (returned
 * as is), gzip-compressed Image, and EFI zboot with a gzip payload. Everything else (xz, zstd,
 * bzip2, lzma, lzo) fails with the format named: convert it with the kernel's
 * {@code scripts/extract-vmlinux} or pass an uncompressed kernel through the overrides.
 */
public final class KernelExtractor {
    private KernelExtractor() {
    }

    /**
     * bzImage to vmlinux: 1. read the setup header (boot protocol 2.08+, which always has the
     * payload fields); 2. find the payload from payload_offset / payload_length; 3. decompress
     * by magic;
     * 4. check the result is an ELF64 EM_X86_64 (the decompressed payload is the stripped
     * vmlinux, possibly followed by its relocation table, which ELF loaders ignore).
     */
    public static byte[] vmlinuxFromBzImage(byte[] bzImage) {
        if (KernelFormat.detect(bzImage).kind() == KernelFormat.Kind.ELF) {
            return checkX86Elf(bzImage); // already a vmlinux
        }
        BzImageSetupHeader h = BzImageSetupHeader.parse(bzImage);
        long start = h.payloadFileOffset();
        long end = start + h.payload_length();
        if (h.payload_length() == 0 || end > bzImage.length) {
            throw new KernelFormatException("bzImage payload_offset/payload_length (0x" + Long.toHexString(h.payload_offset())
                + "/0x" + Long.toHexString(h.payload_length()) + ") point outside the " + bzImage.length + "-byte file");
        }
        byte[] payload = Arrays.copyOfRange(bzImage, (int) start, (int) end);
        Compression c = Compression.detect(payload, 0);
        if (c == null) {
            throw new KernelFormatException("bzImage payload at file offset 0x" + Long.toHexString(start)
                + " has an unknown compression magic " + hex(payload, 0, 6));
        }
        return checkX86Elf(decompress(c, payload, "bzImage payload"));
    }

    /**
     * arm64 vmlinuz to Image: a raw Image is returned unchanged; gzip is inflated; an EFI zboot
     * image has its gzip payload inflated. The result must carry the Image magic.
     */
    public static byte[] imageFromVmlinuz(byte[] vmlinuz) {
        if (isArm64Image(vmlinuz)) {
            return vmlinuz;
        }
        byte[] image;
        if (ZbootHeader.isZboot(vmlinuz)) {
            ZbootHeader z = ZbootHeader.parse(vmlinuz);
            long end = z.payload_offset() + z.payload_size();
            if (end > vmlinuz.length || z.payload_size() == 0) {
                throw new KernelFormatException("EFI zboot payload (offset 0x" + Long.toHexString(z.payload_offset())
                    + ", size 0x" + Long.toHexString(z.payload_size()) + ") lies outside the " + vmlinuz.length + "-byte file");
            }
            byte[] payload = Arrays.copyOfRange(vmlinuz, (int) z.payload_offset(), (int) end);
            Compression c = Compression.detect(payload, 0);
            if (c != Compression.GZIP) {
                throw new KernelFormatException("EFI zboot kernel compressed with " + z.comp_type()
                    + ": only gzip zboot payloads are supported; pass an uncompressed arm64 Image via LINUXVM_KERNEL_AARCH64");
            }
            image = gunzip(payload, "EFI zboot payload");
        } else {
            Compression c = Compression.detect(vmlinuz, 0);
            if (c == null) {
                throw new KernelFormatException("not an arm64 kernel: no \"ARM\\x64\" Image magic at 0x38, no EFI zboot "
                    + "header and no known compression magic (first bytes " + hex(vmlinuz, 0, 8) + ")");
            }
            image = decompress(c, vmlinuz, "arm64 vmlinuz");
        }
        if (!isArm64Image(image)) {
            throw new KernelFormatException("decompressed arm64 kernel has no \"ARM\\x64\" magic at 0x38");
        }
        return image;
    }

    static byte[] decompress(Compression c, byte[] data, String what) {
        switch (c) {
            case LZ4_LEGACY: return Lz4Legacy.decompress(data);
            case GZIP: return gunzip(data, what);
            default:
                throw new KernelFormatException(what + " is " + c.toolName() + "-compressed; only lz4 and gzip are "
                    + "supported: decompress it yourself (the kernel's scripts/extract-vmlinux) and point "
                    + "LINUXVM_KERNEL_X86_64 / LINUXVM_KERNEL_AARCH64 at the result");
        }
    }

    private static byte[] gunzip(byte[] data, String what) {
        // GZIPInputStream ignores trailing bytes such as the kernel's appended size word.
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data), 1 << 16)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new KernelFormatException(what + " is not valid gzip: " + e.getMessage());
        }
    }

    private static byte[] checkX86Elf(byte[] elf) {
        // the engine's reading of the ELF header; ElfVmlinuxLoader checks the rest when it loads it
        KernelFormat format = KernelFormat.detect(elf);
        if (format.kind() != KernelFormat.Kind.ELF) {
            throw new KernelFormatException("decompressed bzImage payload is not an ELF file (starts " + hex(elf, 0, 4) + ")");
        }
        if (format.elfMachine() != KernelFormat.EM_X86_64) {
            throw new KernelFormatException("decompressed vmlinux has e_machine " + format.elfMachine()
                    + ", expected EM_X86_64 (" + KernelFormat.EM_X86_64 + ")");
        }
        return elf;
    }

    static String hex(byte[] b, int off, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = off; i < Math.min(b.length, off + n); i++) {
            sb.append(String.format("%02x ", b[i] & 0xff));
        }
        return sb.toString().trim();
    }

    /** Whether {@code file} is an uncompressed arm64 Image (the engine's sniffer decides, as the loader will). */
    private static boolean isArm64Image(byte[] file) {
        return KernelFormat.detect(file).kind() == KernelFormat.Kind.ARM64_IMAGE;
    }
}
