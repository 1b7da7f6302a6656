package dev.linuxvm.engine.boot.x86;

import dev.linuxvm.engine.VmmException.Kind;
import java.nio.ByteBuffer;

/**
 * struct setup_header, the real-mode kernel header inside the zero page
 * (Documentation/arch/x86/boot.rst, "The Real-Mode Kernel Header";
 * arch/x86/include/uapi/asm/bootparam.h). Offsets below are the ones boot.rst lists, i.e.
 * relative to the start of boot_params, so they can be checked against the spec line by line.
 * Fields the engine does not set stay zero. The defaults equal what Debian's 6.1 bzImage
 * header itself says (version 0x020F, loadflags 0x01, initrd_addr_max 0x7FFFFFFF,
 * kernel_alignment 0x200000, cmdline_size 2047), since a vmlinux carries no header to copy.
 */
public final class SetupHeader {
    /** Offset of the header inside boot_params. */
    public static final int OFFSET = 0x1F1;
    /** sizeof(struct setup_header) in 6.1: 0x1F1 .. 0x26B inclusive. */
    public static final int SIZE = 0x7B;

    /** boot_flag value: the 0xAA55 boot-sector signature. */
    public static final int BOOT_FLAG_MAGIC = 0xAA55;
    /** header value: "HdrS" read as a little-endian u32. */
    public static final int HEADER_MAGIC = 0x5372_6448;
    /** Boot protocol version we speak: 2.15 (Linux 5.5+, unchanged through 6.x). */
    public static final int PROTOCOL_VERSION = 0x020F;
    /** type_of_loader "undefined/other" (boot.rst: 0xFF, no assigned ID). */
    public static final int LOADER_TYPE_UNDEFINED = 0xFF;
    /** loadflags bit 0, LOADED_HIGH: protected-mode code is at 0x100000 or above. */
    public static final int LOADED_HIGH = 1 << 0;
    /** loadflags bit 7, CAN_USE_HEAP: heap_end_ptr is valid (not used by the 64-bit entry). */
    public static final int CAN_USE_HEAP = 1 << 7;

    // Offsets (boot.rst table "The Real-Mode Kernel Header").
    static final int SETUP_SECTS = 0x1F1;
    static final int ROOT_FLAGS = 0x1F2;
    static final int SYSSIZE = 0x1F4;
    static final int RAM_SIZE = 0x1F8;
    static final int VID_MODE = 0x1FA;
    static final int ROOT_DEV = 0x1FC;
    static final int BOOT_FLAG = 0x1FE;
    static final int JUMP = 0x200;
    static final int HEADER = 0x202;
    static final int VERSION = 0x206;
    static final int TYPE_OF_LOADER = 0x210;
    static final int LOADFLAGS = 0x211;
    static final int CODE32_START = 0x214;
    static final int RAMDISK_IMAGE = 0x218;
    static final int RAMDISK_SIZE = 0x21C;
    static final int HEAP_END_PTR = 0x224;
    static final int CMD_LINE_PTR = 0x228;
    static final int INITRD_ADDR_MAX = 0x22C;
    static final int KERNEL_ALIGNMENT = 0x230;
    static final int RELOCATABLE_KERNEL = 0x234;
    static final int XLOADFLAGS = 0x236;
    static final int CMDLINE_SIZE = 0x238;
    static final int HARDWARE_SUBARCH = 0x23C;
    static final int SETUP_DATA = 0x250;
    static final int PREF_ADDRESS = 0x258;
    static final int INIT_SIZE = 0x260;
    static final int END = 0x26C;

    public int boot_flag = BOOT_FLAG_MAGIC;
    public int header = HEADER_MAGIC;
    public int version = PROTOCOL_VERSION;
    public int type_of_loader = LOADER_TYPE_UNDEFINED;
    /**
     * LOADED_HIGH only: the kernel sits at 16 MiB. CAN_USE_HEAP stays clear because the
     * 64-bit entry never runs the real-mode setup code that would use heap_end_ptr.
     */
    public int loadflags = LOADED_HIGH;
    /** 32-bit entry; unused by the 64-bit protocol but filled like a loader would. */
    public long code32_start;
    public long ramdisk_image;
    public long ramdisk_size;
    public long cmd_line_ptr;
    public long initrd_addr_max = X86Layout.INITRD_ADDR_LIMIT - 1;
    /** Informational for a vmlinux (nothing relocates it): CONFIG_PHYSICAL_ALIGN's usual 2 MiB. */
    public long kernel_alignment = 0x20_0000;
    /** Longest command line without its NUL (boot.rst: cmdline_size excludes the terminator). */
    public long cmdline_size = X86Layout.CMDLINE_MAX_SIZE - 1;
    /** 0 = normal PC (boot.rst hardware_subarch). */
    public long hardware_subarch;

    /** Writes the header into {@code zeroPage} (a 4096-byte boot_params, little-endian). */
    void writeTo(ByteBuffer zeroPage) {
        zeroPage.putShort(BOOT_FLAG, (short) boot_flag);
        zeroPage.putInt(HEADER, header);
        zeroPage.putShort(VERSION, (short) version);
        zeroPage.put(TYPE_OF_LOADER, (byte) type_of_loader);
        zeroPage.put(LOADFLAGS, (byte) loadflags);
        zeroPage.putInt(CODE32_START, u32("code32_start", code32_start));
        zeroPage.putInt(RAMDISK_IMAGE, u32("ramdisk_image", ramdisk_image));
        zeroPage.putInt(RAMDISK_SIZE, u32("ramdisk_size", ramdisk_size));
        zeroPage.putInt(CMD_LINE_PTR, u32("cmd_line_ptr", cmd_line_ptr));
        zeroPage.putInt(INITRD_ADDR_MAX, u32("initrd_addr_max", initrd_addr_max));
        zeroPage.putInt(KERNEL_ALIGNMENT, u32("kernel_alignment", kernel_alignment));
        zeroPage.putInt(CMDLINE_SIZE, u32("cmdline_size", cmdline_size));
        zeroPage.putInt(HARDWARE_SUBARCH, u32("hardware_subarch", hardware_subarch));
    }

    static int u32(String field, long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new X86BootException(Kind.INTERNAL, String.format(
                    "boot_params.%s = 0x%x does not fit in 32 bits: place it below 4 GiB", field, value));
        }
        return (int) value;
    }
}
