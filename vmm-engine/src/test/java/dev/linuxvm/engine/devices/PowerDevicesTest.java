package dev.linuxvm.engine.devices;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PowerDevicesTest {
    private final RecordingPowerEvents events = new RecordingPowerEvents();

    @Test
    void pm1_s5_write_powers_off() {
        Pm1Control pm1 = new Pm1Control(events);
        pm1.write(0, 0x3400, 2); // SLP_EN (bit 13) | SLP_TYP 5 (bits 12:10)
        assertThat(events.powerOffs).hasSize(1);
        assertThat(events.powerOffs.get(0)).contains("0x3400").contains("S5");
    }

    @Test
    void pm1_slp_typ_without_slp_en_does_nothing() {
        Pm1Control pm1 = new Pm1Control(events);
        pm1.write(0, 0x1400, 2);
        assertThat(events.powerOffs).isEmpty();
        assertThat(pm1.read(0, 2) & 0xFFFF).isEqualTo(0x1400 | Pm1Control.SCI_EN);
    }

    @Test
    void pm1_other_sleep_types_are_counted_not_obeyed() {
        Pm1Control pm1 = new Pm1Control(events);
        pm1.write(0, Pm1Control.SLP_EN | (3 << Pm1Control.SLP_TYP_SHIFT), 2);
        assertThat(events.powerOffs).isEmpty();
        assertThat(pm1.unsupportedSleepRequests()).isEqualTo(1);
    }

    @Test
    void pm1_s5_type_is_configurable() {
        Pm1Control pm1 = new Pm1Control(0, events);
        pm1.write(0, Pm1Control.SLP_EN, 2);
        assertThat(events.powerOffs).hasSize(1);
        assertThatThrownBy(() -> new Pm1Control(8, events)).hasMessageContaining("3-bit");
    }

    @Test
    void pm1_reads_sci_en_and_never_slp_en() {
        Pm1Control pm1 = new Pm1Control(events);
        assertThat(pm1.read(0, 2) & 0xFFFF).isEqualTo(Pm1Control.SCI_EN);
        pm1.write(0, 0x3400, 2);
        assertThat(pm1.read(0, 2) & Pm1Control.SLP_EN).isZero();
    }

    @Test
    void pm1_high_byte_write_alone_powers_off() {
        Pm1Control pm1 = new Pm1Control(events);
        IoPortBus bus = new IoPortBus().register("PM1a_CNT", dev.linuxvm.engine.boot.x86.X86Layout.SLEEP_CONTROL_PORT, Pm1Control.LENGTH, pm1);
        bus.write(0x605, 0x34, 1);
        assertThat(events.powerOffs).hasSize(1);
    }

    @Test
    void sleep_control_s5_byte_powers_off() {
        Pm1Control pm1 = new Pm1Control(events);
        IoPortBus bus = new IoPortBus().register("sleep control", dev.linuxvm.engine.boot.x86.X86Layout.SLEEP_CONTROL_PORT,
                Pm1Control.LENGTH, pm1);
        bus.write(0x604, 0x34, 1); // SLP_EN (bit 5) | SLP_TYP 5 (bits 4:2): ACPICA acpi_hw_extended_sleep
        assertThat(events.powerOffs).hasSize(1);
        assertThat(events.powerOffs.get(0)).contains("SLEEP_CONTROL_REG").contains("0x34").contains("S5");
        assertThat(pm1.read(0, 2) & 0xFFFF).as("PM1_CNT view unchanged").isEqualTo(Pm1Control.SCI_EN);
    }

    @Test
    void sleep_control_other_values_do_not_power_off() {
        Pm1Control pm1 = new Pm1Control(events);
        pm1.write(0, 5 << 2, 1);                                    // SLP_TYP 5 without SLP_EN
        pm1.write(0, Pm1Control.SLEEP_CONTROL_SLP_EN, 1);           // SLP_EN with SLP_TYP 0 (S0)
        pm1.write(0, Pm1Control.SLEEP_CONTROL_SLP_EN | 3 << 2, 1);  // S3
        pm1.write(0, 0x80, 1);                                      // WAK_STS, the status register's value
        assertThat(events.powerOffs).isEmpty();
        assertThat(pm1.unsupportedSleepRequests()).isEqualTo(2);
    }

    @Test
    void cf9_with_rst_cpu_resets() {
        ResetControl rc = new ResetControl(events);
        rc.write(0, 0x02, 1);
        assertThat(events.resets).isEmpty();
        assertThat(rc.read(0, 1)).isEqualTo(0x02);
        rc.write(0, 0x06, 1);
        rc.write(0, 0x0E, 1);
        assertThat(events.resets).hasSize(2);
        assertThat(events.resets.get(0)).contains("0xCF9").contains("0x06");
    }

    @Test
    void i8042_fe_command_resets_and_status_is_idle() {
        I8042 kbc = new I8042(events);
        IoPortBus bus = new IoPortBus()
                .register("i8042 data", I8042.DATA_PORT, 1, kbc.dataPort())
                .register("i8042 command", I8042.COMMAND_PORT, 1, kbc.commandPort());
        assertThat(bus.read(0x64, 1) & I8042.STATUS_IBF).isZero();
        bus.write(0x64, 0xAA, 1); // self test: ignored
        assertThat(events.resets).isEmpty();
        bus.write(0x64, 0xFE, 1);
        assertThat(events.resets).singleElement().asString().contains("0xFE");
    }
}
