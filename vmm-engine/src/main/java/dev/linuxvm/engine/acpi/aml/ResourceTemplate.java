package dev.linuxvm.engine.acpi.aml;

import java.util.List;

/**
 * ASL's {@code ResourceTemplate() { ... }}: a {@link AmlBuffer} holding the descriptors and an
 * End Tag (ACPI 6.5 section 6.4.2.9: small item 0x0F, length 1, then a checksum byte that makes
 * the sum of all descriptor bytes zero). iasl writes 0 there ("checksum not used"); we write the
 * real checksum, which the spec allows and readers accept.
 */
public record ResourceTemplate(List<ResourceDescriptor> descriptors) implements Aml {
    /** End Tag small item name (ACPI 6.5 section 6.4.2.9). */
    public static final int END_TAG = 0x0F;
    /** End Tag length in bytes after the header. */
    public static final int END_TAG_LENGTH = 1;

    public ResourceTemplate {
        descriptors = List.copyOf(descriptors);
    }

    public static ResourceTemplate of(ResourceDescriptor... descriptors) {
        return new ResourceTemplate(List.of(descriptors));
    }

    /** The descriptor bytes including the End Tag and its checksum. */
    public byte[] resourceBytes() {
        AmlBytes bytes = new AmlBytes();
        ChecksumSink sum = new ChecksumSink();
        for (ResourceDescriptor d : descriptors) {
            d.emit(bytes);
            d.emit(sum);
        }
        int endTag = ResourceDescriptor.smallHeader(END_TAG, END_TAG_LENGTH);
        bytes.u8(endTag);
        sum.u8(endTag);
        bytes.u8(sum.complement());
        return bytes.toByteArray();
    }

    @Override
    public void emit(AmlSink sink) {
        new AmlBuffer(resourceBytes()).emit(sink);
    }
}
