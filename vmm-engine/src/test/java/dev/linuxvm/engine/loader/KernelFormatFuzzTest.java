package dev.linuxvm.engine.loader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.linuxvm.engine.Fuzz;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes {@link KernelFormat#detect} (issue #11). Its contract: any bytes, including none, give
 * a format and never an exception (there is no exception type to document), and only the first
 * {@link KernelFormat#SNIFF_SIZE} bytes count.
 */
class KernelFormatFuzzTest {
    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(SyntheticElf.smallKernel().build());
        seeds.add(Arm64ImageTest.image(KernelFormat.SNIFF_SIZE, 0, 0x1000, 0xA));
        byte[] bz = new byte[KernelFormat.SNIFF_SIZE];
        System.arraycopy(new byte[] {'H', 'd', 'r', 'S'}, 0, bz, 0x202, 4); // boot.rst: setup_header.header
        seeds.add(bz);
        for (int[] magic : new int[][] {
            {'M', 'Z', 0, 0, 'z', 'i', 'm', 'g'}, {0x1F, 0x8B, 8, 0}, {0x02, 0x21, 0x4C, 0x18}, {0x04, 0x22, 0x4D, 0x18},
            {0xFD, '7', 'z', 'X', 'Z', 0}, {0x28, 0xB5, 0x2F, 0xFD}, {'B', 'Z', 'h', '9'},
            {0x89, 'L', 'Z', 'O', 0, 0x0D, 0x0A, 0x1A, 0x0A}, {0x5D, 0, 0, 0x80, 0}}) {
            byte[] b = new byte[32];
            for (int i = 0; i < magic.length; i++) {
                b[i] = (byte) magic[i];
            }
            seeds.add(b);
        }
        for (Map.Entry<String, String> real : Map.of("x86_64", "vmlinux", "aarch64", "Image").entrySet()) {
            Fuzz.provisionedHead(real.getKey(), real.getValue(), 2 * KernelFormat.SNIFF_SIZE).ifPresent(seeds::add);
        }
        return seeds;
    }

    @Provide
    Arbitrary<byte[]> heads() {
        return Fuzz.mutants(seeds(), ByteOrder.LITTLE_ENDIAN, 0, 4, 5, 18, 0x38, 0x202);
    }

    @Property(tries = Fuzz.TRIES)
    void detect_names_a_format_for_any_bytes_from_the_first_sniff_size_alone(@ForAll("heads") byte[] head) {
        KernelFormat format = Fuzz.parse(RuntimeException.class, () -> KernelFormat.detect(head));
        assertThat(format).as("detect never throws").isNotNull();
        Statistics.label("kind").collect(format.kind());
        assertThat(format.describe()).isNotBlank();
        assertThat(format.elfMachine() == -1 || format.kind() == KernelFormat.Kind.ELF).isTrue();
        byte[] sniffed = Arrays.copyOf(head, Math.min(head.length, KernelFormat.SNIFF_SIZE));
        assertThat(KernelFormat.detect(sniffed)).isEqualTo(format);
    }
}
