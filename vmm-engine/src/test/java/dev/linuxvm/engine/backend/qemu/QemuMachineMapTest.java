package dev.linuxvm.engine.backend.qemu;

import dev.linuxvm.engine.Arch;
import dev.linuxvm.engine.Arm64BootState;
import dev.linuxvm.engine.DataPort;
import dev.linuxvm.engine.GuestImage;
import dev.linuxvm.engine.RamRange;
import dev.linuxvm.engine.boot.arm64.Arm64Layout;
import dev.linuxvm.engine.boot.x86.LongModeEntry;
import dev.linuxvm.engine.boot.x86.X86GuestBuilder;
import dev.linuxvm.engine.boot.x86.X86Layout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * QEMU itself agrees with the layouts: the executor's own command line, paused ({@code -S}), is
 * asked for its flat memory map ({@code info mtree -f} on an added HMP monitor), and the RAM
 * QEMU's machine splits from {@code -m} alone must be exactly the builder's ranges, its fixed
 * devices where the layout says. Nothing runs; RAM is not touched, so 16 GiB costs nothing.
 */
class QemuMachineMapTest {
    /** {@code  0000000000100000-00000000bfffffff (prio 0, ram): microvm.ram @...}. */
    private static final Pattern FLAT = Pattern.compile("(?m)^\\s*([0-9a-f]{16})-([0-9a-f]{16}) \\(prio \\d+, ([^)]+)\\): (\\S+)");

    @ParameterizedTest(name = "{0} MiB")
    @ValueSource(longs = {512, 3072, 3584, 16384})
    void microvm_maps_the_builders_ram_ranges_and_the_layouts_devices(long mib, @TempDir Path dir) throws Exception {
        Path qemu = qemu(Arch.X86_64);
        long bytes = mib << 20;
        GuestImage image = GuestImage.builder(Arch.X86_64).ram(X86GuestBuilder.ramRanges(bytes))
                .bootState(LongModeEntry.at(0x10_0000)).build();
        List<long[]> map = mtree(QemuCommandLine.build(image, qemu, dir, QemuCommandLine.Accelerator.TCG));
        // RAM, with the reset ROM's low alias (pc.bios, over e820-reserved RAM) counted in its place
        assertThat(ram(map, "microvm.ram", "pc.bios")).isEqualTo(image.ramRanges());
        assertThat(find(map, "serial")).containsExactly((long) X86Layout.COM1_PORT, X86Layout.COM1_PORT + 8L);
        assertThat(find(map, "ioapic")[0]).isEqualTo(X86Layout.IOAPIC_START);
    }

    @ParameterizedTest(name = "{0} MiB")
    @ValueSource(longs = {512, 3584, 16384})
    void virt_maps_the_builders_ram_and_the_layouts_gic_and_uart(long mib, @TempDir Path dir) throws Exception {
        Path qemu = qemu(Arch.AARCH64);
        long bytes = mib << 20;
        GuestImage image = GuestImage.builder(Arch.AARCH64).ram(Arm64Layout.RAM_BASE, bytes)
                .bootState(new Arm64BootState(Arm64Layout.KERNEL_BASE, Arm64Layout.FIRMWARE_BASE)).build();
        List<long[]> map = mtree(QemuCommandLine.build(image, qemu, dir, QemuCommandLine.Accelerator.TCG));
        assertThat(ram(map, "mach-virt.ram")).isEqualTo(image.ramRanges());
        assertThat(find(map, "gicv3_dist")).containsExactly(Arm64Layout.GICD_BASE, Arm64Layout.GICD_BASE + Arm64Layout.GICD_SIZE);
        assertThat(find(map, "gicv3_redist_region[0]")[0]).isEqualTo(Arm64Layout.GICR_BASE);
        assertThat(find(map, "pl011")).containsExactly(Arm64Layout.UART_BASE, Arm64Layout.UART_BASE + Arm64Layout.UART_SIZE);
    }

    /**
     * The device QEMU attaches for the data port sits on the transport the tables describe: in
     * {@code info qtree} the virtio-mmio proxy whose bus holds the virtio-serial-device maps
     * {@link DataPort#base()}/{@link DataPort#size()}. (The interrupt is not in qtree; the boots in
     * DataPortTransferTest show it: {@code IO-APIC 5-fasteoi virtio0}, {@code GICv3 48 Level virtio0}.)
     */
    @ParameterizedTest
    @EnumSource(Arch.class)
    void the_data_ports_virtio_serial_device_is_on_the_transport_the_layout_names(Arch arch, @TempDir Path dir) throws Exception {
        Path qemu = qemu(arch);
        DataPort port = DataPort.of(arch);
        GuestImage image = (arch == Arch.X86_64
                ? GuestImage.builder(arch).ram(X86GuestBuilder.ramRanges(512L << 20)).bootState(LongModeEntry.at(0x10_0000))
                : GuestImage.builder(arch).ram(Arm64Layout.RAM_BASE, 512L << 20)
                        .bootState(new Arm64BootState(Arm64Layout.KERNEL_BASE, Arm64Layout.FIRMWARE_BASE)))
                .dataPort(port).build();
        String qtree = monitor(QemuCommandLine.build(image, qemu, dir, QemuCommandLine.Accelerator.TCG), "info qtree");
        // "dev: virtio-mmio" blocks, each up to the next one
        String[] transports = qtree.split("dev: virtio-mmio,");
        List<String> holders = java.util.Arrays.stream(transports).skip(1)
                .filter(t -> t.contains("dev: virtio-serial-device")).toList();
        assertThat(holders).as("transports holding the virtio-serial-device in:%n%s", qtree).hasSize(1);
        assertThat(holders.get(0)).contains(String.format("mmio %016x/%016x", port.base(), port.size()))
                .contains("bus: virtio-mmio-bus." + port.transport());
    }

    private static Path qemu(Arch arch) {
        Optional<Path> binary = QemuHost.findOnPath(arch);
        assumeTrue(binary.isPresent(), "no " + QemuHost.debianPackage(arch) + ": " + QemuHost.installCommand(arch));
        return binary.get();
    }

    /** [start, end, nameIndex] of every flat-view entry; names kept in {@link #names}. */
    private final List<String> names = new ArrayList<>();

    /** What the paused machine's HMP monitor answers to {@code command}. */
    private static String monitor(QemuCommandLine.Invocation inv, String command) throws IOException, InterruptedException {
        for (Map.Entry<Path, byte[]> f : inv.files().entrySet()) {
            Files.write(f.getKey(), f.getValue());
        }
        // the FIFOs of the serial port, QMP and the data port, which the executor's wrapper shell makes (QemuVm.WRAPPER)
        List<String> mkfifoArgs = new ArrayList<>(List.of("mkfifo", inv.serialPipe() + ".in", inv.serialPipe() + ".out",
                inv.qmpPipe() + ".in", inv.qmpPipe() + ".out"));
        inv.dataPipe().ifPresent(p -> mkfifoArgs.addAll(List.of(p + ".in", p + ".out")));
        Process mkfifo = new ProcessBuilder(mkfifoArgs).inheritIO().start();
        assertThat(mkfifo.waitFor()).as("mkfifo's status").isZero();
        List<String> args = new ArrayList<>(inv.args());
        args.addAll(List.of("-monitor", "stdio"));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        p.getOutputStream().write((command + "\nquit\n").getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("QEMU ended; output:%n%s", out).isTrue();
        return out;
    }

    private List<long[]> mtree(QemuCommandLine.Invocation inv) throws IOException, InterruptedException {
        String out = monitor(inv, "info mtree -f");
        List<long[]> map = new ArrayList<>();
        Matcher m = FLAT.matcher(out);
        while (m.find()) {
            names.add(m.group(4));
            map.add(new long[] {Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16) + 1,
                    names.size() - 1});
        }
        assertThat(map).as("flat views in:%n%s", out).isNotEmpty();
        return map;
    }

    /** [start, end) of the first entry named {@code name}. */
    private long[] find(List<long[]> map, String name) {
        return map.stream().filter(e -> names.get((int) e[2]).equals(name)).map(e -> new long[] {e[0], e[1]})
                .findFirst().orElseThrow(() -> new AssertionError("QEMU maps no " + name));
    }

    /** Entries named one of {@code parts} in the memory view, adjacent ones merged into ranges. */
    private List<RamRange> ram(List<long[]> map, String... parts) {
        List<RamRange> ranges = new ArrayList<>();
        long start = -1;
        long end = -1;
        for (long[] e : map) {
            if (!List.of(parts).contains(names.get((int) e[2])) || e[0] >= 0xFFFF_0000L && e[1] <= 1L << 32) {
                continue; // the ROM's high copy at the reset vector is not RAM
            }
            if (e[0] == end) {
                end = e[1];
                continue;
            }
            if (start >= 0) {
                ranges.add(new RamRange(start, end - start));
            }
            start = e[0];
            end = e[1];
        }
        ranges.add(new RamRange(start, end - start));
        return ranges;
    }
}
