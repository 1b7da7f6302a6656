package dev.linuxvm.engine.loader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.linuxvm.engine.Fuzz;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.MemoryRegion;
import dev.linuxvm.engine.boot.arm64.Arm64BootException;
import dev.linuxvm.engine.launch.BootMode;
import dev.linuxvm.engine.boot.arm64.Arm64GuestBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes {@link Arm64Image#parse} and {@link Arm64ImageHeader} (issue #11): mutants of small
 * Images, zboot and x86 headers and of the provisioned Debian Image's first 4 KiB parse or end
 * in {@link Arm64ImageException}; a parsed Image is either placed inside the guest's RAM by
 * {@link Arm64GuestBuilder} or refused with {@link Arm64BootException}.
 */
class Arm64ImageFuzzTest {
    /** text_offset, image_size, flags, magic (booting.rst); zboot's payload offset and compression name. */
    private static final int[] FIELDS = {8, 16, 24, Arm64ImageHeader.MAGIC_OFFSET, 8, 0x18, 0};

    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(Arm64ImageTest.image(256, 0, 0x1000, 0xA));          // LE, 4K pages, anywhere
        seeds.add(Arm64ImageTest.image(512, 0x80000, 0, 0));             // pre-3.17: image_size 0
        seeds.add(Arm64ImageTest.image(1024, 0x1000, 2L << 20, 0x2));
        ByteBuffer zboot = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        zboot.put("MZ".getBytes(StandardCharsets.US_ASCII)).putShort((short) 0); // DOS magic + pad
        zboot.put("zimg".getBytes(StandardCharsets.US_ASCII));                 // zboot magic
        zboot.putInt(0x1000).putInt(0x800).putInt(0).putInt(0);                // payload offset, size, reserved
        zboot.put("gzip\0".getBytes(StandardCharsets.US_ASCII));               // compression type
        seeds.add(zboot.array());
        Fuzz.provisionedHead("aarch64", "Image", 4096).ifPresentOrElse(seeds::add,
                () -> System.out.println("Arm64ImageFuzzTest: no provisioned arm64 Image; synthetic seeds only"));
        return seeds;
    }

    @Provide
    Arbitrary<byte[]> imageMutants() {
        return Fuzz.mutants(seeds(), ByteOrder.LITTLE_ENDIAN, FIELDS);
    }

    @Provide
    Arbitrary<Long> ramSizes() {
        return Arbitraries.longs().between(16, 1024).map(mib -> mib << 20);
    }

    @Property(tries = Fuzz.TRIES)
    void a_mutated_image_is_placed_inside_ram_or_rejected(@ForAll("imageMutants") byte[] bytes,
            @ForAll("ramSizes") long ramSize) {
        Arm64Image image = Fuzz.parse(Arm64ImageException.class, () -> Arm64Image.parse("fuzz", bytes));
        if (image == null) {
            return;
        }
        assertThat(image.textOffset()).isBetween(0L, Arm64Image.BASE_ALIGNMENT - 1);
        assertThat(image.imageSize()).isGreaterThanOrEqualTo(bytes.length);
        GuestImage guest = Fuzz.parse("placement", Arm64BootException.class, () -> Arm64GuestBuilder.forKernel(image)
                .memory(ramSize).mode(BootMode.DEVICE_TREE).build());
        if (guest == null) {
            return;
        }
        for (MemoryRegion region : guest.regions()) {
            assertThat(region.address()).as("%s", region).isGreaterThanOrEqualTo(guest.ramBase());
            assertThat(region.size()).as("%s", region).isLessThanOrEqualTo(guest.ramBase() + guest.ramSize() - region.address());
        }
    }

    @Property(tries = Fuzz.TRIES / 5)
    void random_headers_are_rejected_or_parsed(@ForAll("noise") byte[] bytes) {
        Fuzz.parse(Arm64ImageException.class, () -> Arm64Image.parse("fuzz", bytes));
    }

    @Provide
    Arbitrary<byte[]> noise() {
        return Fuzz.randomBytes(128);
    }
}
