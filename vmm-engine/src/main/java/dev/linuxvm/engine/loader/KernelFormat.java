package dev.linuxvm.engine.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What a kernel file is, judged from its first bytes, so loaders can reject the wrong kind
 * with a message that names the fix. Shared by the x86 ELF and the arm64 Image loaders.
 *
 * @param kind        the format
 * @param elfMachine  e_machine for {@link Kind#ELF} (62 = EM_X86_64, 183 = EM_AARCH64), else -1
 */
public record KernelFormat(Kind kind, int elfMachine) {
    /** Bytes {@link #detect} looks at; fewer are fine (the result is then {@link Kind#UNKNOWN} or a shorter match). */
    public static final int SNIFF_SIZE = 0x210;

    /** ELF e_machine for x86-64 (System V ABI, AMD64 supplement). */
    public static final int EM_X86_64 = 62;
    /** ELF e_machine for AArch64. */
    public static final int EM_AARCH64 = 183;

    /** Known kernel file formats. */
    public enum Kind {
        /** ELF ("\x7fELF" at 0), e.g. x86 vmlinux. */
        ELF("an ELF file", false),
        /** x86 bzImage: "HdrS" at 0x202 (Documentation/arch/x86/boot.rst). */
        BZIMAGE("an x86 bzImage (compressed kernel with a real-mode setup header)", true),
        /** arm64 Image: "ARM\x64" at 0x38 (Documentation/arch/arm64/booting.rst). */
        ARM64_IMAGE("an arm64 Image", false),
        /** EFI zboot: "MZ" at 0 and "zimg" at 4 (drivers/firmware/efi/libstub/zboot-header.S). */
        EFI_ZBOOT("an EFI zboot image (compressed kernel in a PE/COFF wrapper)", true),
        /** gzip member: 1F 8B (RFC 1952 §2.3.1). */
        GZIP("gzip-compressed", true),
        /** LZ4: legacy frame 02 21 4C 18 (the kernel's format) or frame 04 22 4D 18. */
        LZ4("LZ4-compressed", true),
        /** xz: FD 37 7A 58 5A 00 (xz file format §2.1.1.1). */
        XZ("xz-compressed", true),
        /** zstd frame: 28 B5 2F FD (RFC 8878 §3.1.1). */
        ZSTD("zstd-compressed", true),
        /** bzip2: "BZh" and a block-size digit. */
        BZIP2("bzip2-compressed", true),
        /** LZMA "alone" format as the kernel's build uses it: properties 0x5D, then a small dictionary size. */
        LZMA("LZMA-compressed", true),
        /** lzop: 89 4C 5A 4F 00 0D 0A 1A 0A. */
        LZO("LZO (lzop)-compressed", true),
        /** None of the above. */
        UNKNOWN("not a recognised kernel format", false);

        private final String description;
        private final boolean compressed;

        Kind(String description, boolean compressed) {
            this.description = description;
            this.compressed = compressed;
        }

        /** Human-readable, fits "kernel image is ...". */
        public String description() {
            return description;
        }

        /** Whether the actual kernel is inside a compressed payload. */
        public boolean compressed() {
            return compressed;
        }
    }

    /** Identifies {@code head}, the first bytes of a file ({@link #SNIFF_SIZE} are enough). */
    public static KernelFormat detect(byte[] head) {
        if (startsWith(head, 0, 0x7F, 'E', 'L', 'F')) {
            int machine = head.length >= 20
                    ? (head[5] == 2 ? ByteBuffer.wrap(head, 18, 2).order(ByteOrder.BIG_ENDIAN).getShort()
                                    : ByteBuffer.wrap(head, 18, 2).order(ByteOrder.LITTLE_ENDIAN).getShort()) & 0xFFFF
                    : -1;
            return new KernelFormat(Kind.ELF, machine);
        }
        // "MZ" also starts EFI-stub Images and bzImages: check the specific magics first.
        if (startsWith(head, 0, 'M', 'Z') && startsWith(head, 4, 'z', 'i', 'm', 'g')) {
            return of(Kind.EFI_ZBOOT);
        }
        if (startsWith(head, 0x38, 'A', 'R', 'M', 0x64)) {
            return of(Kind.ARM64_IMAGE);
        }
        if (startsWith(head, 0x202, 'H', 'd', 'r', 'S')) {
            return of(Kind.BZIMAGE);
        }
        if (startsWith(head, 0, 0x1F, 0x8B)) {
            return of(Kind.GZIP);
        }
        if (startsWith(head, 0, 0x02, 0x21, 0x4C, 0x18) || startsWith(head, 0, 0x04, 0x22, 0x4D, 0x18)) {
            return of(Kind.LZ4);
        }
        if (startsWith(head, 0, 0xFD, '7', 'z', 'X', 'Z', 0x00)) {
            return of(Kind.XZ);
        }
        if (startsWith(head, 0, 0x28, 0xB5, 0x2F, 0xFD)) {
            return of(Kind.ZSTD);
        }
        if (startsWith(head, 0, 'B', 'Z', 'h') && head.length > 3 && head[3] >= '1' && head[3] <= '9') {
            return of(Kind.BZIP2);
        }
        if (startsWith(head, 0, 0x89, 'L', 'Z', 'O', 0x00, 0x0D, 0x0A, 0x1A, 0x0A)) {
            return of(Kind.LZO);
        }
        // lzma-alone: lc/lp/pb properties byte 0x5D (lc=3, lp=0, pb=2, what xz/lzma use by
        // default), then a little-endian u32 dictionary size whose top byte is 0 (< 16 MiB).
        if (startsWith(head, 0, 0x5D) && head.length >= 5 && head[4] == 0) {
            return of(Kind.LZMA);
        }
        return of(Kind.UNKNOWN);
    }

    private static KernelFormat of(Kind kind) {
        return new KernelFormat(kind, -1);
    }

    /** "an ELF file for x86-64 (e_machine 62)", "gzip-compressed", ... */
    public String describe() {
        if (kind == Kind.ELF) {
            return "an ELF file for " + machineName(elfMachine) + " (e_machine " + elfMachine + ")";
        }
        return kind.description();
    }

    /** A name for an ELF e_machine value. */
    public static String machineName(int eMachine) {
        switch (eMachine) {
            case 3: return "i386";
            case 8: return "MIPS";
            case 20: return "PowerPC";
            case 21: return "PowerPC64";
            case 22: return "s390";
            case 40: return "32-bit Arm";
            case EM_X86_64: return "x86-64";
            case EM_AARCH64: return "AArch64";
            case 243: return "RISC-V";
            case 258: return "LoongArch";
            default: return "machine " + eMachine;
        }
    }

    private static boolean startsWith(byte[] data, int offset, int... magic) {
        if (data.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((data[offset + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
