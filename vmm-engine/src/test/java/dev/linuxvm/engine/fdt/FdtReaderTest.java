package dev.linuxvm.engine.fdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Malformed blobs that FdtReaderFuzzTest turned up; each used to escape as a raw JDK exception. */
class FdtReaderTest {
    // struct fdt_header field offsets (Devicetree Specification v0.4, 5.2).
    private static final int OFF_DT_STRUCT = 8;
    private static final int OFF_MEM_RSVMAP = 16;
    private static final int SIZE_DT_STRUCT = 36;
    // The structure block of tiny(): FDT_BEGIN_NODE, "" padded to 4, then FDT_PROP, len, nameoff, value.
    private static final int PROP_LEN = 12;

    /**
     * / { a = <1>; };
     */
    private static byte[] tiny() {
        FdtWriter w = new FdtWriter();
        FdtWriter.Node root = w.beginNode("");
        w.propertyU32("a", 1);
        w.endNode(root);
        return w.finish();
    }

    private static byte[] with(byte[] blob, int offset, int value) {
        ByteBuffer.wrap(blob).order(ByteOrder.BIG_ENDIAN).putInt(offset, value);
        return blob;
    }

    private static int structOffset(byte[] blob) {
        return ByteBuffer.wrap(blob).order(ByteOrder.BIG_ENDIAN).getInt(OFF_DT_STRUCT);
    }

    @Test
    void reads_the_tiny_tree() {
        assertThat(FdtReader.parse(tiny()).root().u32("a")).isEqualTo(1);
    }

    @Test
    void rejects_a_memory_reservation_offset_outside_the_blob() {
        // Was IllegalArgumentException: newPosition > limit.
        assertThatThrownBy(() -> FdtReader.parse(with(tiny(), OFF_MEM_RSVMAP, 0x7fff_fff0)))
                .isInstanceOf(FdtException.class)
                .hasMessageContaining("off_mem_rsvmap 2147483632 is not an 8-byte aligned offset inside the blob");
    }

    @Test
    void rejects_a_memory_reservation_block_without_its_terminator() {
        byte[] blob = tiny();
        assertThatThrownBy(() -> FdtReader.parse(with(blob, OFF_MEM_RSVMAP, (blob.length - 8) & -8)))
                .isInstanceOf(FdtException.class)
                .hasMessageContaining("runs past the end of the blob without its terminating (0, 0) entry");
    }

    @Test
    void rejects_a_negative_property_length() {
        // Was NegativeArraySizeException.
        byte[] blob = tiny();
        assertThatThrownBy(() -> FdtReader.parse(with(blob, structOffset(blob) + PROP_LEN, -1)))
                .isInstanceOf(FdtException.class)
                .hasMessageContaining("the property at structure offset 8 has len 4294967295 but the structure block"
                        + " has 12 bytes left");
    }

    @Test
    void rejects_a_property_length_past_the_block_before_allocating_it() {
        // Was an attempt to allocate 2 GiB, then BufferUnderflowException.
        byte[] blob = tiny();
        assertThatThrownBy(() -> FdtReader.parse(with(blob, structOffset(blob) + PROP_LEN, Integer.MAX_VALUE)))
                .isInstanceOf(FdtException.class)
                .hasMessageContaining("has len 2147483647 but the structure block has 12 bytes left");
    }

    @Test
    void rejects_a_structure_block_that_ends_inside_the_padding_of_a_node_name() {
        // FDT_BEGIN_NODE and the root's "" take 5 bytes; the padding to 8 moved past the block's end:
        // was IllegalArgumentException: newPosition > limit.
        assertThatThrownBy(() -> FdtReader.parse(with(tiny(), SIZE_DT_STRUCT, 5)))
                .isInstanceOf(FdtException.class)
                .hasMessage("device tree: the structure block (5 bytes) ends inside a token at offset 8");
    }

    @Test
    void rejects_a_node_name_without_its_nul() {
        assertThatThrownBy(() -> FdtReader.parse(with(tiny(), SIZE_DT_STRUCT, 4)))
                .isInstanceOf(FdtException.class)
                .hasMessage("device tree: the name of the node at structure offset 0 runs past the end of the"
                        + " structure block without its NUL");
    }
}
