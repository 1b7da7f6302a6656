package dev.linuxvm.engine.loader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.linuxvm.engine.Fuzz;
import dev.linuxvm.engine.MemoryRegion;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes {@link ElfVmlinuxLoader} (issue #11): mutants of small valid vmlinux files and of the
 * first bytes of the provisioned Debian vmlinux load, or end in {@link KernelImageException}; a
 * loaded kernel that passes {@link ElfKernel#requireInside} lies inside the RAM it was given.
 */
class ElfVmlinuxLoaderFuzzTest {
    /** Elf64_Ehdr and Elf64_Phdr fields whose values are offsets, sizes or addresses. */
    private static final int[] FIELDS = {
        ElfVmlinuxLoader.E_ENTRY, ElfVmlinuxLoader.E_PHOFF, ElfVmlinuxLoader.E_PHENTSIZE, ElfVmlinuxLoader.E_PHNUM,
        ElfVmlinuxLoader.E_TYPE, ElfVmlinuxLoader.E_MACHINE,
        phdr(0, ElfVmlinuxLoader.P_TYPE), phdr(0, ElfVmlinuxLoader.P_OFFSET), phdr(0, ElfVmlinuxLoader.P_VADDR),
        phdr(0, ElfVmlinuxLoader.P_PADDR), phdr(0, ElfVmlinuxLoader.P_FILESZ), phdr(0, ElfVmlinuxLoader.P_MEMSZ),
        phdr(1, ElfVmlinuxLoader.P_OFFSET), phdr(1, ElfVmlinuxLoader.P_PADDR), phdr(1, ElfVmlinuxLoader.P_FILESZ),
        phdr(1, ElfVmlinuxLoader.P_MEMSZ), phdr(1, ElfVmlinuxLoader.P_VADDR),
    };
    /** X86Layout.HIGH_MEMORY_START: the kernel goes at 1 MiB or above. */
    private static final long LOWEST = 1L << 20;

    private static int phdr(int index, int field) {
        return ElfVmlinuxLoader.EHDR_SIZE + index * ElfVmlinuxLoader.PHDR_SIZE + field;
    }

    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(SyntheticElf.smallKernel().build());
        seeds.add(SyntheticElf.x86Kernel().note(new byte[] {1, 2, 3, 4})
                .load(5, 0xFFFF_FFFF_8100_0000L, 0x100_0000, new byte[] {(byte) 0xF4}, 0x1000)
                .entry(0xFFFF_FFFF_8100_0000L).build());
        seeds.add(SyntheticElf.x86Kernel().load(7, 0x20_0000, 0x20_0000, new byte[16], 0x20_0000)
                .entry(0x20_0008).build());
        Fuzz.provisionedHead("x86_64", "vmlinux", 4096).ifPresentOrElse(seeds::add,
                () -> System.out.println("ElfVmlinuxLoaderFuzzTest: no provisioned x86_64 vmlinux; synthetic seeds only"));
        return seeds;
    }

    @Provide
    Arbitrary<byte[]> vmlinuxMutants() {
        return Fuzz.mutants(seeds(), ByteOrder.LITTLE_ENDIAN, FIELDS);
    }

    @Property(tries = Fuzz.TRIES)
    void a_mutated_vmlinux_loads_inside_ram_or_is_rejected(@ForAll("vmlinuxMutants") byte[] image,
            @ForAll("ramEnds") long ramEnd) {
        ElfKernel kernel = Fuzz.parse(KernelImageException.class, () -> {
            ElfKernel k = ElfVmlinuxLoader.load(image);
            k.requireInside(LOWEST, ramEnd);
            return k;
        });
        if (kernel == null) {
            return;
        }
        boolean entryPlaced = false;
        for (MemoryRegion segment : kernel.segments()) {
            assertThat(segment.address()).as("%s", segment).isGreaterThanOrEqualTo(LOWEST);
            assertThat(segment.size()).as("%s", segment).isLessThanOrEqualTo(ramEnd - segment.address());
            assertThat((long) segment.data().length).as("%s", segment).isLessThanOrEqualTo(segment.size());
            entryPlaced |= kernel.entry() >= segment.address() && kernel.entry() < segment.end();
        }
        assertThat(entryPlaced).as("entry 0x%x lies in a segment of %s", kernel.entry(), kernel.segments()).isTrue();
    }

    @Provide
    Arbitrary<Long> ramEnds() {
        return Arbitraries.longs().between(16L << 20, 4L << 30);
    }

    @Property(tries = Fuzz.TRIES / 5)
    void random_bytes_behind_the_elf_magic_are_rejected(@ForAll("elfNoise") byte[] image) {
        Fuzz.parse(KernelImageException.class, () -> ElfVmlinuxLoader.load(image));
    }

    @Provide
    Arbitrary<byte[]> elfNoise() {
        return Fuzz.randomBytes(512, new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0}, new byte[0]);
    }
}
