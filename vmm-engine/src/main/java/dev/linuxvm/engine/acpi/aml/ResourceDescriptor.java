package dev.linuxvm.engine.acpi.aml;

/**
 * A resource data descriptor (ACPI 6.5 section 6.4, "Resource Data Types for ACPI") inside a
 * {@link ResourceTemplate}. Small descriptors start with one byte {@code 0 tttt lll} (type,
 * length); large ones with {@code 1 ttttttt} and a 16-bit length.
 */
public interface ResourceDescriptor extends Aml {
    /** Small item header byte: bit 7 = 0, bits 6-3 = item name, bits 2-0 = length. */
    static int smallHeader(int itemName, int length) {
        return (itemName << 3) | length;
    }

    /** Large item header byte: bit 7 = 1, bits 6-0 = item name. */
    static int largeHeader(int itemName) {
        return 0x80 | itemName;
    }
}
