package dev.linuxvm.engine.boot.arm64;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Arm64LayoutTest {

    @Test
    void follows_qemu_virt_memory_map() {
        assertThat(Arm64Layout.GICD_BASE).isEqualTo(0x0800_0000L);
        assertThat(Arm64Layout.GIC_ITS_BASE).isEqualTo(0x0808_0000L);
        assertThat(Arm64Layout.GICR_BASE).isEqualTo(0x080A_0000L);
        assertThat(Arm64Layout.GICR_REGION_SIZE).isEqualTo(0xF6_0000L);
        assertThat(Arm64Layout.UART_BASE).isEqualTo(0x0900_0000L);
        assertThat(Arm64Layout.RTC_BASE).isEqualTo(0x0901_0000L);
        assertThat(Arm64Layout.RAM_BASE).isEqualTo(0x4000_0000L);
    }

    @Test
    void devices_are_ordered_by_address_and_do_not_overlap() {
        long[][] ranges = {
                {Arm64Layout.GICD_BASE, Arm64Layout.GICD_SIZE},
                {Arm64Layout.GIC_ITS_BASE, Arm64Layout.GIC_ITS_SIZE},
                {Arm64Layout.GICR_BASE, Arm64Layout.GICR_REGION_SIZE},
                {Arm64Layout.UART_BASE, Arm64Layout.UART_SIZE},
                {Arm64Layout.RTC_BASE, Arm64Layout.RTC_SIZE},
                {Arm64Layout.RAM_BASE, Arm64Layout.RAM_MAX_SIZE},
        };
        for (int i = 1; i < ranges.length; i++) {
            assertThat(ranges[i - 1][0] + ranges[i - 1][1]).as("end of range %d", i - 1).isLessThanOrEqualTo(ranges[i][0]);
        }
    }

    @Test
    void blobs_stay_clear_of_qemus_dtb_and_the_kernel_is_2mib_aligned() {
        assertThat(Arm64Layout.FIRMWARE_BASE).isEqualTo(0x4010_0000L);
        assertThat(Arm64Layout.KERNEL_BASE).isEqualTo(0x4020_0000L);
        assertThat(Arm64Layout.KERNEL_BASE % Arm64Layout.KERNEL_ALIGNMENT).isZero();
        assertThat(Arm64Layout.FIRMWARE_SIZE).isEqualTo(1L << 20);
    }

    @Test
    void interrupts_and_cpu_ids() {
        assertThat(Arm64Layout.UART_INTID).isEqualTo(33);
        assertThat(new int[] {Arm64Layout.TIMER_VIRT_INTID, Arm64Layout.TIMER_PHYS_NS_INTID,
                Arm64Layout.TIMER_PHYS_S_INTID, Arm64Layout.TIMER_HYP_INTID}).containsExactly(27, 30, 29, 26);
        assertThat(Arm64Layout.MAX_CPUS).isEqualTo(123);
        assertThat(Arm64Layout.mpidr(0)).isZero();
        assertThat(Arm64Layout.mpidr(15)).isEqualTo(0xF);
        assertThat(Arm64Layout.mpidr(17)).isEqualTo(0x101);
        assertThat(Arm64Layout.gicrSize(2)).isEqualTo(0x4_0000L);
    }
}
