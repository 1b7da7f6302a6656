package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.acpi.MemoryRange;
import dev.linuxvm.engine.acpi.X86AcpiParams;
import dev.linuxvm.engine.acpi.X86AcpiTables;
import dev.linuxvm.engine.backend.VmExit;
import dev.linuxvm.engine.devices.IoPortBus;
import dev.linuxvm.engine.devices.IrqLine;
import dev.linuxvm.engine.devices.Uart16550;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The x86_64 machine's port map and exit dispatch, as the smoke guest drives them. */
class X86PortMapTest {
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final IoPortBus ports = new IoPortBus();
    private final ExitDispatch dispatch = new ExitDispatch();

    X86PortMapTest() {
        KvmX86Machine.wirePorts(ports, new Uart16550((b, o, l) -> console.write(b, o, l), IrqLine.NONE), dispatch);
    }

    private void out(int port, int size, byte... data) {
        ExitDispatch.ioAccess(new VcpuExit.Io(true, size, port, data.length / size, 4096), data, ports);
    }

    @Test
    void the_smoke_guest_sequence_prints_ok_then_powers_off() {
        out(0x3F8, 1, (byte) 'O');
        out(0x3F8, 1, (byte) 'K');
        assertThat(dispatch.requested()).isEmpty();
        out(0x604, 2, (byte) 0x00, (byte) 0x34);          // out %ax,(%dx) with ax = 0x3400
        assertThat(console.toString(StandardCharsets.ISO_8859_1)).isEqualTo("OK");
        assertThat(dispatch.requested()).contains(new VmExit.PoweredOff());
    }

    @Test
    void the_kernels_hw_reduced_s5_sequence_powers_off() {
        out(0x600, 1, (byte) 0x80);                       // ACPICA: WAK_STS to SLEEP_STATUS_REG
        assertThat(dispatch.requested()).isEmpty();
        out(0x604, 1, (byte) 0x34);                       // SLP_TYP 5 << 2 | SLP_EN to SLEEP_CONTROL_REG
        assertThat(dispatch.requested()).contains(new VmExit.PoweredOff());
        assertThat(ports.unknownPortAccesses()).isEmpty();
    }

    @Test
    void cf9_and_i8042_reset() {
        out(0xCF9, 1, (byte) 0x06);
        assertThat(dispatch.requested()).contains(new VmExit.Reset());
        ExitDispatch other = new ExitDispatch();
        IoPortBus bus = new IoPortBus();
        KvmX86Machine.wirePorts(bus, new Uart16550((b, o, l) -> { }, IrqLine.NONE), other);
        ExitDispatch.ioAccess(new VcpuExit.Io(true, 1, 0x64, 1, 4096), new byte[] {(byte) 0xFE}, bus);
        assertThat(other.requested()).contains(new VmExit.Reset());
    }

    @Test
    void first_request_wins() {
        out(0x604, 2, (byte) 0x00, (byte) 0x34);
        out(0xCF9, 1, (byte) 0x0E);
        assertThat(dispatch.requested()).contains(new VmExit.PoweredOff());
    }

    @Test
    void sleep_status_reads_zero_at_the_fadts_sleep_status_reg() {
        int evt = (int) X86AcpiTables.fadt(X86AcpiParams.defaults(1, List.of(new MemoryRange(0, 1 << 20))))
                .sleepStatusReg().address();
        assertThat(evt).isEqualTo(0x600);
        byte[] word = {(byte) 0xFF, (byte) 0xFF};
        ExitDispatch.ioAccess(new VcpuExit.Io(false, 2, evt, 1, 4096), word, ports);       // PM1_STS
        assertThat(word).containsOnly(0);
        out(evt, 2, (byte) 0xFF, (byte) 0xFF);                                              // clear all status
        out(evt + 2, 2, (byte) 0x21, (byte) 0x01);                                          // PM1_EN: PWRBTN, GBL, RTC
        byte[] dword = {1, 2, 3, 4};
        ExitDispatch.ioAccess(new VcpuExit.Io(false, 4, evt, 1, 4096), dword, ports);      // PM1_STS + PM1_EN
        assertThat(dword).containsOnly(0);
        byte[] b = {(byte) 0xFF};
        ExitDispatch.ioAccess(new VcpuExit.Io(false, 1, evt + 3, 1, 4096), b, ports);
        assertThat(b).containsOnly(0);
        assertThat(ports.unknownPortAccesses()).isEmpty();
        assertThat(dispatch.requested()).isEmpty();
    }

    @Test
    void other_com_ports_are_unowned_and_counted() {
        byte[] in = new byte[1];
        ExitDispatch.ioAccess(new VcpuExit.Io(false, 1, 0x2F8 + 7, 1, 4096), in, ports);
        assertThat(in[0]).isEqualTo((byte) 0xFF);
        assertThat(ports.unknownPortAccesses()).containsOnlyKeys(0x2FF);
    }
}
