package dev.linuxvm.engine.devices;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IoPortBusTest {
    @Test
    void unknown_ports_read_all_ones_and_are_counted() {
        IoPortBus bus = new IoPortBus();
        assertThat(bus.read(0x70, 1)).isEqualTo(0xFF);
        assertThat(bus.read(0x70, 2)).isEqualTo(0xFFFF);
        assertThat(bus.read(0xCFC, 4)).isEqualTo(0xFFFF_FFFF);
        bus.write(0x80, 0, 1);
        assertThat(bus.unknownPortAccesses()).isEqualTo(Map.of(0x70, 2L, 0xCFC, 1L, 0x80, 1L));
    }

    @Test
    void devices_see_offsets_relative_to_their_base_and_masked_data() {
        int[] seen = new int[3];
        PortIoDevice dev = new PortIoDevice() {
            @Override
            public int read(int offset, int size) {
                return 0x12345678 + offset;
            }

            @Override
            public void write(int offset, int data, int size) {
                seen[0] = offset;
                seen[1] = data;
                seen[2] = size;
            }
        };
        IoPortBus bus = new IoPortBus().register("dev", 0x100, 4, dev);
        bus.write(0x102, 0xABCD, 1);
        assertThat(seen).containsExactly(2, 0xCD, 1);
        assertThat(bus.read(0x101, 2)).isEqualTo(0x5679);
        assertThat(bus.read(0x104, 1)).as("one past the range").isEqualTo(0xFF);
    }

    @Test
    void overlapping_ranges_are_rejected_with_both_names() {
        PortIoDevice dev = new PortIoDevice() {
            @Override
            public int read(int offset, int size) {
                return 0;
            }

            @Override
            public void write(int offset, int data, int size) {
            }
        };
        IoPortBus bus = new IoPortBus().register("COM1", 0x3F8, 8, dev);
        assertThatThrownBy(() -> bus.register("other", 0x3FC, 8, dev))
                .hasMessageContaining("other").hasMessageContaining("COM1");
        assertThatThrownBy(() -> bus.register("low", 0x3F0, 9, dev)).hasMessageContaining("COM1");
        bus.register("adjacent", 0x3F0, 8, dev);
    }

    @Test
    void mmio_bus_reads_zero_for_holes_and_counts_them() {
        MmioBus bus = new MmioBus();
        assertThat(bus.read(0x0901_0000L, 4)).isZero();
        assertThat(bus.unknownAccesses()).containsEntry(0x0901_0000L, 1L);
    }
}
