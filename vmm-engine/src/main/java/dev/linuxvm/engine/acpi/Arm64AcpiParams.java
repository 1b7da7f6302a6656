package dev.linuxvm.engine.acpi;

import java.util.ArrayList;
import java.util.List;

/**
 * What the arm64 tables describe. {@link #qemuVirt} gives QEMU virt's map (vmm-engine/README.md, "AArch64").
 *
 * @param mpidrs                   one MPIDR per CPU (CPU i has ACPI Processor UID i)
 * @param gicdBase                 GICv3 distributor base
 * @param gicrBase                 first redistributor frame
 * @param gicrStride               bytes of redistributor per CPU (GICv3: 0x20000)
 * @param uartBase                 PL011 MMIO base
 * @param uartSize                 PL011 MMIO size
 * @param uartGsiv                 PL011 interrupt (SPI 1 = INTID 33)
 * @param pmuGsiv                  PMU PPI as GSIV (QEMU virt: 23), 0 when the vCPUs have no PMU
 * @param gtdt                     the timer interrupts
 */
public record Arm64AcpiParams(List<Long> mpidrs, long gicdBase, long gicrBase, long gicrStride, long uartBase,
        long uartSize, long uartGsiv, int pmuGsiv, Gtdt gtdt) {
    /** GICv3 redistributor frames per CPU: RD_base + SGI_base, 64 KiB each. */
    public static final long GICV3_REDISTRIBUTOR_STRIDE = 0x2_0000;

    public Arm64AcpiParams {
        mpidrs = List.copyOf(mpidrs);
        if (mpidrs.isEmpty()) {
            throw new AcpiException("arm64 ACPI: no CPUs (pass one MPIDR per vCPU)");
        }
    }

    /**
     * QEMU virt's MPIDR for CPU {@code index} with GICv3 (hw/arm/virt.c: 16 CPUs per cluster):
     * Aff0 = index % 16, Aff1 = index / 16. A KVM backend must use the MPIDR KVM reports.
     */
    public static long qemuVirtMpidr(int index) {
        return ((long) (index / 16) << 8) | (index % 16);
    }

    /** QEMU virt: GICD 0x0800_0000, GICR 0x080A_0000, PL011 0x0900_0000 INTID 33, no PMU, timers 29/30/27/26. */
    public static Arm64AcpiParams qemuVirt(int cpus) {
        if (cpus < 1 || cpus > 123) {
            // virt's redistributor region 0x080A_0000-0x0900_0000 holds 123 frames
            throw new AcpiException("arm64 ACPI: " + cpus + " CPUs; QEMU virt's first redistributor region holds 1 to 123");
        }
        List<Long> mpidrs = new ArrayList<>();
        for (int i = 0; i < cpus; i++) {
            mpidrs.add(qemuVirtMpidr(i));
        }
        return new Arm64AcpiParams(mpidrs, 0x0800_0000L, 0x080A_0000L, GICV3_REDISTRIBUTOR_STRIDE, 0x0900_0000L,
                0x1000, 33, 0, Gtdt.qemuVirt());
    }
}
