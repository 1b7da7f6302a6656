package dev.linuxvm.engine.fdt;

import dev.linuxvm.engine.Fuzz;
import dev.linuxvm.engine.boot.arm64.Arm64DeviceTree;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes {@link FdtReader} (issue #11): mutants of blobs from {@link FdtWriter} and of the arm64
 * guest's device tree parse or end in {@link FdtException}. Half of the mutants get their
 * totalsize fixed up, so that cuts and additions reach the blocks behind the header check.
 */
class FdtReaderFuzzTest {
    /** The ten big-endian u32 fields of struct fdt_header (spec 5.2) and the first structure tokens. */
    private static final int[] FIELDS = {0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 48, 56, 64, 72, 80};

    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        FdtWriter w = new FdtWriter();
        w.addMemoryReservation(0x4000_0000L, 0x1000);
        FdtWriter.Node root = w.beginNode("");
        w.propertyU32("#address-cells", 2);
        w.propertyString("compatible", "linux,dummy-virt");
        FdtWriter.Node chosen = w.beginNode("chosen");
        w.propertyString("bootargs", "console=ttyAMA0");
        w.nop();
        w.endNode(chosen);
        FdtWriter.Node memory = w.beginNode("memory@40000000");
        w.propertyU64Array("reg", 0x4000_0000L, 0x1000_0000L);
        w.propertyEmpty("dma-coherent");
        w.endNode(memory);
        w.endNode(root);
        seeds.add(w.finish());
        FdtWriter empty = new FdtWriter();
        empty.endNode(empty.beginNode(""));
        seeds.add(empty.finish());
        seeds.add(Arm64DeviceTree.full(1, 64L << 20, "console=ttyAMA0", null));
        return seeds;
    }

    @Provide
    Arbitrary<byte[]> blobs() {
        return Combinators.combine(Fuzz.mutants(seeds(), ByteOrder.BIG_ENDIAN, FIELDS), Arbitraries.of(true, false))
                .as((blob, fixTotalsize) -> {
                    if (fixTotalsize && blob.length >= FdtHeader.SIZE) {
                        ByteBuffer.wrap(blob).order(ByteOrder.BIG_ENDIAN).putInt(4, blob.length); // totalsize
                    }
                    return blob;
                });
    }

    @Property(tries = Fuzz.TRIES)
    void a_mutated_blob_parses_or_is_rejected(@ForAll("blobs") byte[] blob) {
        FdtReader.Fdt fdt = Fuzz.parse(FdtException.class, () -> FdtReader.parse(blob));
        if (fdt != null) {
            walk(fdt.root());
        }
    }

    private static void walk(FdtNode node) {
        node.properties().keySet().forEach(node::property);
        node.children().forEach(FdtReaderFuzzTest::walk);
    }

    @Property(tries = Fuzz.TRIES / 5)
    void random_bytes_behind_a_header_are_rejected(@ForAll("noise") byte[] blob) {
        Fuzz.parse(FdtException.class, () -> FdtReader.parse(blob));
    }

    @Provide
    Arbitrary<byte[]> noise() {
        return Fuzz.randomBytes(256, new byte[] {(byte) 0xd0, 0x0d, (byte) 0xfe, (byte) 0xed}, new byte[0]);
    }
}
