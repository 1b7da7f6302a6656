package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.X86BootState;
import dev.linuxvm.engine.devices.IoPortBus;
import dev.linuxvm.engine.devices.PortIoDevice;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class X86EntryStateTest {
    static final X86BootState BOOT = new X86BootState(
            0x100_0000L, 0x2000L, 0, 0x2,
            0x8000_0011L, 0x4000L, 0x20L, 0x500L,
            0x1000L, 0x1F, 0x10, 0x18);

    @Test
    void long_mode_segments_from_the_boot_selectors() {
        KvmSregs s = new KvmSregs();
        KvmX86Machine.applyBootSregs(s, BOOT);
        assertThat(s.cs.selector).isEqualTo((short) 0x10);
        assertThat(s.cs.l).as("64-bit code").isEqualTo((byte) 1);
        assertThat(s.cs.db).as("D must be 0 when L is 1").isEqualTo((byte) 0);
        assertThat(s.cs.type).isEqualTo((byte) 0xB);
        assertThat(s.cs.s).isEqualTo((byte) 1);
        assertThat(s.cs.present).isEqualTo((byte) 1);
        for (KvmSegment d : new KvmSegment[] {s.ds, s.es, s.fs, s.gs, s.ss}) {
            assertThat(d.selector).isEqualTo((short) 0x18);
            assertThat(d.type).isEqualTo((byte) 0x3);
            assertThat(d.l).isEqualTo((byte) 0);
            assertThat(d.g).isEqualTo((byte) 1);
            assertThat(d.limit).isEqualTo(0xFFFF_FFFF);
        }
        assertThat(s.tr.type).as("busy TSS").isEqualTo((byte) 0xB);
        assertThat(s.tr.s).as("system segment").isEqualTo((byte) 0);
        assertThat(s.ldt.type).isEqualTo((byte) 0x2);
        assertThat(s.gdt.base).isEqualTo(0x1000L);
        assertThat(s.gdt.limit).isEqualTo((short) 0x1F);
        assertThat(s.cr0).isEqualTo(0x8000_0011L);
        assertThat(s.cr3).isEqualTo(0x4000L);
        assertThat(s.cr4).isEqualTo(0x20L);
        assertThat(s.efer).isEqualTo(0x500L);
    }

    @Test
    void string_io_out_is_split_into_little_endian_accesses() {
        List<Integer> seen = new ArrayList<>();
        IoPortBus bus = new IoPortBus().register("probe", 0x80, 1, new PortIoDevice() {
            @Override
            public int read(int offset, int size) {
                return 0xBEEF;
            }

            @Override
            public void write(int offset, int data, int size) {
                seen.add(data);
            }
        });
        ExitDispatch.ioAccess(new VcpuExit.Io(true, 2, 0x80, 2, 4096),
                new byte[] {0x34, 0x12, 0x78, 0x56}, bus);
        assertThat(seen).containsExactly(0x1234, 0x5678);

        byte[] in = new byte[4];
        ExitDispatch.ioAccess(new VcpuExit.Io(false, 2, 0x80, 2, 4096), in, bus);
        assertThat(in).containsExactly(0xEF, 0xBE, 0xEF, 0xBE);
        byte[] unknown = new byte[1];
        ExitDispatch.ioAccess(new VcpuExit.Io(false, 1, 0x70, 1, 4096), unknown, bus);
        assertThat(unknown[0]).as("unowned port reads all ones").isEqualTo((byte) 0xFF);
    }
}
