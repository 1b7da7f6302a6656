package dev.linuxvm.engine.boot.arm64;

import static org.assertj.core.api.Assertions.assertThat;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.DataPort;
import dev.linuxvm.engine.fdt.Dtc;
import dev.linuxvm.engine.fdt.FdtNode;
import dev.linuxvm.engine.fdt.FdtReader;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Arm64DeviceTreeTest {
    private static final String ARGS = "console=ttyAMA0 panic=-1";

    @Test
    void full_tree_describes_the_virt_platform() {
        FdtReader.Fdt fdt = FdtReader.parse(Arm64DeviceTree.full(2, 512L << 20, ARGS,
                new Arm64DeviceTree.InitrdRange(0x4200_0000L, 0x4210_0000L)));
        FdtNode root = fdt.root();
        assertThat(root.string("model")).isEqualTo("linuxvm virt");
        assertThat(root.string("compatible")).isEqualTo("linuxvm,virt");
        assertThat(root.u32("#address-cells")).isEqualTo(2);
        assertThat(root.u32("#size-cells")).isEqualTo(2);

        FdtNode gic = fdt.require("/intc@8000000");
        assertThat(root.u32("interrupt-parent")).isEqualTo(gic.u32("phandle"));
        assertThat(gic.string("compatible")).isEqualTo("arm,gic-v3");
        assertThat(gic.hasProperty("interrupt-controller")).isTrue();
        assertThat(gic.u32("#interrupt-cells")).isEqualTo(3);
        assertThat(gic.u64Array("reg")).containsExactly(0x0800_0000L, 0x1_0000L, 0x080A_0000L, 2 * 0x2_0000L);

        assertThat(fdt.require("/cpus").children()).extracting(FdtNode::name).containsExactly("cpu@0", "cpu@1");
        FdtNode cpu1 = fdt.require("/cpus/cpu@1");
        assertThat(cpu1.u32("reg")).isEqualTo(1);
        assertThat(cpu1.string("enable-method")).isEqualTo("psci");
        assertThat(cpu1.string("device_type")).isEqualTo("cpu");
        assertThat(fdt.require("/psci").string("compatible")).isEqualTo("arm,psci-0.2");
        assertThat(fdt.require("/psci").string("method")).isEqualTo("hvc");

        FdtNode memory = fdt.require("/memory@40000000");
        assertThat(memory.string("device_type")).isEqualTo("memory");
        assertThat(memory.u64Array("reg")).containsExactly(0x4000_0000L, 512L << 20);

        FdtNode timer = fdt.require("/timer");
        assertThat(timer.string("compatible")).isEqualTo("arm,armv8-timer");
        assertThat(timer.hasProperty("always-on")).isTrue();
        assertThat(timer.u32Array("interrupts")).containsExactly(
                1, 13, 4,  // secure physical timer, PPI 13 = INTID 29, level-high
                1, 14, 4,  // non-secure physical, INTID 30
                1, 11, 4,  // virtual, INTID 27
                1, 10, 4); // hypervisor, INTID 26

        FdtNode uart = fdt.require("/pl011@9000000");
        assertThat(uart.stringList("compatible")).containsExactly("arm,pl011", "arm,primecell");
        assertThat(uart.u64Array("reg")).containsExactly(0x0900_0000L, 0x1000L);
        assertThat(uart.u32Array("interrupts")).containsExactly(0, 1, 4); // SPI 1 = INTID 33, level-high
        assertThat(uart.stringList("clock-names")).containsExactly("uartclk", "apb_pclk");
        FdtNode clock = fdt.require("/apb-pclk");
        assertThat(uart.u32Array("clocks")).containsExactly(clock.u32("phandle"), clock.u32("phandle"));
        assertThat(clock.u32("clock-frequency")).isEqualTo(24_000_000);
        assertThat(clock.string("compatible")).isEqualTo("fixed-clock");

        FdtNode chosen = fdt.require("/chosen");
        assertThat(chosen.string("bootargs")).isEqualTo(ARGS);
        assertThat(chosen.u64("linux,initrd-start")).isEqualTo(0x4200_0000L);
        assertThat(chosen.u64("linux,initrd-end")).isEqualTo(0x4210_0000L);
        String stdout = chosen.string("stdout-path");
        assertThat(fdt.node(stdout)).as("stdout-path %s resolves", stdout).contains(uart);
    }

    @Test
    void full_tree_decompiles_cleanly_with_dtc(@TempDir Path tmp) throws Exception {
        String dts = Dtc.decompile(Arm64DeviceTree.full(4, 1L << 30, ARGS,
                new Arm64DeviceTree.InitrdRange(0x4200_0000L, 0x4210_0000L)), tmp);
        assertThat(dts).contains("model = \"linuxvm virt\";", "intc@8000000 {", "pl011@9000000 {",
                "stdout-path = \"/pl011@9000000\";", "cpu@3 {", "timer {", "psci {", "memory@40000000 {");
    }

    @Test
    void the_data_port_is_a_virtio_mmio_node_at_virts_first_transport_and_absent_without_it(@TempDir Path tmp) throws Exception {
        byte[] dtb = Arm64DeviceTree.full(1, 512L << 20, ARGS, null, Optional.of(DataPort.of(Arch.AARCH64)));
        FdtNode virtio = FdtReader.parse(dtb).require("/virtio_mmio@a000000");
        assertThat(virtio.string("compatible")).isEqualTo("virtio,mmio");
        assertThat(virtio.u64Array("reg")).containsExactly(0x0A00_0000L, 0x200L);
        assertThat(virtio.u32Array("interrupts")).containsExactly(0, 16, 4); // SPI 16 = INTID 48, level-high
        assertThat(virtio.hasProperty("dma-coherent")).isTrue();
        assertThat(Dtc.decompile(dtb, tmp)).contains("virtio_mmio@a000000 {", "compatible = \"virtio,mmio\";");
        assertThat(FdtReader.parse(Arm64DeviceTree.full(1, 512L << 20, ARGS, null)).node("/virtio_mmio@a000000")).isEmpty();
    }

    @Test
    void full_tree_without_initrd_has_no_initrd_properties(@TempDir Path tmp) throws Exception {
        byte[] dtb = Arm64DeviceTree.full(1, 256L << 20, ARGS, null);
        assertThat(FdtReader.parse(dtb).require("/chosen").hasProperty("linux,initrd-start")).isFalse();
        Dtc.decompile(dtb, tmp);
    }

    @Test
    void stub_tree_has_exactly_chosen_with_the_efi_properties(@TempDir Path tmp) throws Exception {
        byte[] dtb = Arm64DeviceTree.stub(ARGS, new Arm64DeviceTree.InitrdRange(0x4200_0000L, 0x4210_0000L),
                new Arm64DeviceTree.EfiHandoff(0x4010_1000L, 0x4010_10c0L, 7 * 48));
        FdtReader.Fdt fdt = FdtReader.parse(dtb);
        assertThat(fdt.root().properties()).isEmpty();
        assertThat(fdt.root().children()).extracting(FdtNode::name).containsExactly("chosen");
        FdtNode chosen = fdt.require("/chosen");
        assertThat(chosen.children()).isEmpty();
        assertThat(chosen.properties().keySet()).containsExactly("bootargs", "linux,initrd-start",
                "linux,initrd-end", "linux,uefi-system-table", "linux,uefi-mmap-start", "linux,uefi-mmap-size",
                "linux,uefi-mmap-desc-size", "linux,uefi-mmap-desc-ver", "linux,uefi-secure-boot");
        assertThat(chosen.u64("linux,uefi-system-table")).isEqualTo(0x4010_1000L);
        assertThat(chosen.u64("linux,uefi-mmap-start")).isEqualTo(0x4010_10c0L);
        assertThat(chosen.u32("linux,uefi-mmap-size")).isEqualTo(7 * 48);
        assertThat(chosen.u32("linux,uefi-mmap-desc-size")).isEqualTo(48);
        assertThat(chosen.u32("linux,uefi-mmap-desc-ver")).isEqualTo(1);
        assertThat(chosen.u32("linux,uefi-secure-boot")).isEqualTo(2);
        assertThat(Dtc.decompile(dtb, tmp)).contains("chosen {", "linux,uefi-secure-boot = <0x02>;");
    }
}
