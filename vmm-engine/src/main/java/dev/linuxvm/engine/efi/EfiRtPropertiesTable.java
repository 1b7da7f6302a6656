package dev.linuxvm.engine.efi;

import java.nio.ByteBuffer;

/**
 * {@code EFI_RT_PROPERTIES_TABLE} (UEFI 2.10, section 4.6.2): which runtime services remain
 * callable after ExitBootServices. linuxvm advertises none; with a null RuntimeServices pointer
 * this entry is what keeps Linux 6.1 from calling through it (measured: vmm-engine/README.md, "EFI runtime properties").
 *
 * @param RuntimeServicesSupported bit mask of EFI_RT_SUPPORTED_* services
 */
public record EfiRtPropertiesTable(int RuntimeServicesSupported) {
    /** UINT16 Version + UINT16 Length + UINT32 RuntimeServicesSupported. */
    public static final int SIZE = 8;
    /** Section 4.6.2: EFI_RT_PROPERTIES_TABLE_VERSION. */
    public static final int EFI_RT_PROPERTIES_TABLE_VERSION = 0x1;

    /** No runtime services at all. */
    public static EfiRtPropertiesTable none() {
        return new EfiRtPropertiesTable(0);
    }

    public void writeTo(ByteBuffer out) {
        EfiSystemTable.requireLittleEndian(out);
        out.putShort((short) EFI_RT_PROPERTIES_TABLE_VERSION); // Version
        out.putShort((short) SIZE);                            // Length
        out.putInt(RuntimeServicesSupported);
    }
}
