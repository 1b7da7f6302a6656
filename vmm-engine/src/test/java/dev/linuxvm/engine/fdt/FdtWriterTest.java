package dev.linuxvm.engine.fdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import dev.linuxvm.engine.VmmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FdtWriterTest {

    /*
     * /dts-v1/;
     * / {
     *     #address-cells = <1>;
     *     #size-cells = <0>;
     *     n@1 { reg = <1>; };
     * };
     */
    private static byte[] tinyTree() {
        FdtWriter w = new FdtWriter();
        FdtWriter.Node root = w.beginNode("");
        w.propertyU32("#address-cells", 1);
        w.propertyU32("#size-cells", 0);
        FdtWriter.Node n = w.beginNode("n@1");
        w.propertyU32("reg", 1);
        w.endNode(n);
        w.endNode(root);
        return w.finish();
    }

    private static byte[] bytes(int... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.BIG_ENDIAN);
        for (int w : words) {
            b.putInt(w);
        }
        return b.array();
    }

    @Test
    void writes_golden_bytes_for_a_tiny_tree() {
        ByteBuffer golden = ByteBuffer.allocate(163);
        golden.put(bytes(
                0xd00dfeed,   // magic
                0x000000a3,   // totalsize = 163
                0x00000038,   // off_dt_struct = 56
                0x00000084,   // off_dt_strings = 132
                0x00000028,   // off_mem_rsvmap = 40
                0x00000011,   // version = 17
                0x00000010,   // last_comp_version = 16
                0x00000000,   // boot_cpuid_phys
                0x0000001f,   // size_dt_strings = 31
                0x0000004c)); // size_dt_struct = 76
        golden.put(bytes(
                0, 0, 0, 0)); // memory reservation block: terminating {address 0, size 0}
        golden.put(bytes(
                0x00000001,   // FDT_BEGIN_NODE
                0x00000000,   // name "" (root), padded
                0x00000003,   // FDT_PROP
                0x00000004,   //   len = 4
                0x00000000,   //   nameoff = 0 ("#address-cells")
                0x00000001,   //   <1>
                0x00000003,   // FDT_PROP
                0x00000004,   //   len = 4
                0x0000000f,   //   nameoff = 15 ("#size-cells")
                0x00000000,   //   <0>
                0x00000001,   // FDT_BEGIN_NODE
                0x6e403100,   //   "n@1\0"
                0x00000003,   // FDT_PROP
                0x00000004,   //   len = 4
                0x0000001b,   //   nameoff = 27 ("reg")
                0x00000001,   //   <1>
                0x00000002,   // FDT_END_NODE (n@1)
                0x00000002,   // FDT_END_NODE (/)
                0x00000009)); // FDT_END
        golden.put("#address-cells\0#size-cells\0reg\0".getBytes()); // strings block
        assertThat(tinyTree()).isEqualTo(golden.array());
    }

    @Test
    void header_size_is_forty_bytes() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.BIG_ENDIAN);
        new FdtHeader(1, 2, 3, 4, 5, 6, 7, 8, 9, 10).writeTo(b);
        assertThat(b.position()).isEqualTo(FdtHeader.SIZE).isEqualTo(40);
    }

    @Test
    void tiny_tree_reads_back_and_decompiles_with_dtc(@TempDir Path tmp) throws Exception {
        byte[] dtb = tinyTree();
        FdtReader.Fdt fdt = FdtReader.parse(dtb);
        assertThat(fdt.root().u32("#address-cells")).isEqualTo(1);
        assertThat(fdt.require("/n@1").u32("reg")).isEqualTo(1);
        String dts = Dtc.decompile(dtb, tmp);
        assertThat(dts).contains("#size-cells = <0x00>;").contains("n@1 {").contains("reg = <0x01>;");
    }

    @Test
    void property_names_are_stored_once_in_the_strings_block() {
        FdtWriter w = new FdtWriter();
        FdtWriter.Node root = w.beginNode("");
        for (int i = 0; i < 3; i++) {
            FdtWriter.Node n = w.beginNode("n@" + i);
            w.propertyU32("reg", i);
            w.endNode(n);
        }
        w.endNode(root);
        FdtReader.Fdt fdt = FdtReader.parse(w.finish());
        assertThat(fdt.header().size_dt_strings()).isEqualTo("reg\0".length());
        assertThat(fdt.require("/n@2").u32("reg")).isEqualTo(2);
    }

    @Test
    void all_property_kinds_round_trip() {
        FdtWriter w = new FdtWriter();
        w.addMemoryReservation(0x4000_0000L, 0x1000);
        FdtWriter.Node root = w.beginNode("");
        int ph = w.allocatePhandle();
        w.propertyU32("phandle", ph);
        w.propertyU64("big", 0x1122_3344_5566_7788L);
        w.propertyU32Array("cells", 1, 2, 3);
        w.propertyU64Array("pairs", 0x4000_0000L, 0x2000_0000L);
        w.propertyStringList("names", "uartclk", "apb_pclk");
        w.propertyEmpty("always-on");
        w.nop();
        w.endNode(root);
        FdtReader.Fdt fdt = FdtReader.parse(w.finish());
        FdtNode r = fdt.root();
        assertThat(ph).isEqualTo(1);
        assertThat(w.allocatePhandle()).isEqualTo(2);
        assertThat(r.u32("phandle")).isEqualTo(1);
        assertThat(r.u64("big")).isEqualTo(0x1122_3344_5566_7788L);
        assertThat(r.u32Array("cells")).containsExactly(1, 2, 3);
        assertThat(r.u64Array("pairs")).containsExactly(0x4000_0000L, 0x2000_0000L);
        assertThat(r.stringList("names")).containsExactly("uartclk", "apb_pclk");
        assertThat(r.property("always-on")).isEmpty();
        assertThat(fdt.reservations()).hasSize(1);
        assertThat(fdt.reservations().get(0)).containsExactly(0x4000_0000L, 0x1000L);
        assertThat(List.copyOf(r.properties().keySet()))
                .containsExactly("phandle", "big", "cells", "pairs", "names", "always-on");
    }

    @Test
    void finish_rejects_unclosed_nodes() {
        FdtWriter w = new FdtWriter();
        FdtWriter.Node root = w.beginNode("");
        w.beginNode("chosen");
        assertThatThrownBy(w::finish).isInstanceOf(FdtException.class)
                .hasMessageContaining("unclosed node(s) [/chosen, /]");
    }

    @Test
    void end_node_rejects_a_token_that_is_not_the_innermost_node() {
        FdtWriter w = new FdtWriter();
        FdtWriter.Node root = w.beginNode("");
        w.beginNode("cpus");
        assertThatThrownBy(() -> w.endNode(root)).isInstanceOf(FdtException.class)
                .hasMessageContaining("endNode(/) but the innermost open node is /cpus");
    }

    @Test
    void rejects_property_after_child_node_and_duplicates() {
        FdtWriter w = new FdtWriter();
        FdtWriter.Node root = w.beginNode("");
        w.propertyU32("a", 1);
        assertThatThrownBy(() -> w.propertyU32("a", 2)).hasMessageContaining("duplicate property 'a' in /");
        w.endNode(w.beginNode("child"));
        assertThatThrownBy(() -> w.propertyU32("b", 1)).isInstanceOf(FdtException.class)
                .hasMessageContaining("after a child node");
    }

    @Test
    void rejects_bad_names_a_second_root_and_use_after_finish() {
        FdtWriter w = new FdtWriter();
        assertThatThrownBy(() -> w.beginNode("x")).hasMessageContaining("root node must be named \"\"");
        assertThatThrownBy(() -> w.propertyU32("a", 1)).hasMessageContaining("outside any node");
        FdtWriter.Node root = w.beginNode("");
        assertThatThrownBy(() -> w.beginNode("bad name")).hasMessageContaining("invalid node name 'bad name'");
        assertThatThrownBy(() -> w.propertyU32("bad/prop", 1)).hasMessageContaining("invalid property name");
        w.endNode(root);
        assertThatThrownBy(() -> w.beginNode("")).hasMessageContaining("second root node");
        w.finish();
        assertThatThrownBy(w::finish).hasMessageContaining("already finished");
    }

    @Test
    void reader_rejects_bad_magic_and_truncation() {
        byte[] dtb = tinyTree();
        byte[] bad = dtb.clone();
        bad[0] = 0;
        assertThatThrownBy(() -> FdtReader.parse(bad)).isInstanceOf(FdtException.class).hasMessageContaining("bad magic");
        assertThatThrownBy(() -> FdtReader.parse(java.util.Arrays.copyOf(dtb, 20)))
                .isInstanceOf(FdtException.class).hasMessageContaining("shorter than its header");
    }

    @Test
    void writer_misuse_is_internal_and_a_bad_blob_is_bad_input() {
        FdtWriter w = new FdtWriter();
        w.beginNode("");
        assertThatThrownBy(w::finish).isInstanceOf(FdtException.class)
                .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.INTERNAL);
        assertThatThrownBy(() -> FdtReader.parse(new byte[64])).isInstanceOf(FdtException.class)
                .extracting(e -> ((VmmException) e).kind()).isEqualTo(VmmException.Kind.BAD_INPUT);
    }
}
