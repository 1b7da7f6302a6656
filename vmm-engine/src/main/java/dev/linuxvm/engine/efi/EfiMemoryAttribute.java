package dev.linuxvm.engine.efi;

/** Memory attribute bits of {@code EFI_MEMORY_DESCRIPTOR.Attribute} (UEFI 2.10, section 7.2, GetMemoryMap()). */
public final class EfiMemoryAttribute {
    /** Uncacheable. */
    public static final long EFI_MEMORY_UC = 0x0000000000000001L;
    /** Write-combining. */
    public static final long EFI_MEMORY_WC = 0x0000000000000002L;
    /** Write-through. */
    public static final long EFI_MEMORY_WT = 0x0000000000000004L;
    /** Write-back; Linux only uses RAM as ordinary memory when this is set (measured: vmm-engine/README.md, "EFI runtime properties"). */
    public static final long EFI_MEMORY_WB = 0x0000000000000008L;
    /** Uncacheable, exported, "fetch and add" semantics. */
    public static final long EFI_MEMORY_UCE = 0x0000000000000010L;
    /** Write-protected. */
    public static final long EFI_MEMORY_WP = 0x0000000000001000L;
    /** Read-protected. */
    public static final long EFI_MEMORY_RP = 0x0000000000002000L;
    /** Execute-protected. */
    public static final long EFI_MEMORY_XP = 0x0000000000004000L;
    /** Non-volatile. */
    public static final long EFI_MEMORY_NV = 0x0000000000008000L;
    /** Read-only. */
    public static final long EFI_MEMORY_RO = 0x0000000000020000L;
    /** Needs a virtual mapping for runtime services. */
    public static final long EFI_MEMORY_RUNTIME = 0x8000000000000000L;

    private EfiMemoryAttribute() {
    }
}
