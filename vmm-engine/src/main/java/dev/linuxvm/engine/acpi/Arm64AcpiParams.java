package dev.linuxvm.engine.acpi;

import dev.linuxvm.engine.DataPort;
import dev.linuxvm.engine.boot.arm64.Arm64Layout;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the arm64 tables describe. {@link #qemuVirt} gives QEMU virt's map (vmm-engine/README.md, "AArch64").
 *
 * @param mpidrs                   one MPIDR per CPU (CPU i has ACPI Processor UID i)
 * @param gicdBase                 GICv3 distributor base
 * @param gicrBase                 first redistributor frame
 * @param gicrStride               bytes of redistributor per CPU (GICv3: 0x20000)
 * @param uartBase                 PL011 MMIO base
 * @param uartSize                 PL011 MMIO size
 * @param uartGsiv                 PL011 interrupt as a GIC INTID
 * @param pmuGsiv                  PMU PPI as GSIV (QEMU virt: 23), 0 when the vCPUs have no PMU
 * @param gtdt                     the timer interrupts
 * @param dataPort                 the virtio-mmio data port the DSDT describes, if the guest has one
 */
public record Arm64AcpiParams(List<Long> mpidrs, long gicdBase, long gicrBase, long gicrStride, long uartBase,
        long uartSize, long uartGsiv, int pmuGsiv, Gtdt gtdt, Optional<DataPort> dataPort) {

    public Arm64AcpiParams {
        mpidrs = List.copyOf(mpidrs);
        if (mpidrs.isEmpty()) {
            throw new AcpiException("arm64 ACPI: no CPUs (pass one MPIDR per vCPU)");
        }
        Objects.requireNonNull(dataPort, "dataPort");
    }

    /** Without a data port. */
    public Arm64AcpiParams(List<Long> mpidrs, long gicdBase, long gicrBase, long gicrStride, long uartBase,
            long uartSize, long uartGsiv, int pmuGsiv, Gtdt gtdt) {
        this(mpidrs, gicdBase, gicrBase, gicrStride, uartBase, uartSize, uartGsiv, pmuGsiv, gtdt, Optional.empty());
    }

    /** These tables with {@code port} described in the DSDT. */
    public Arm64AcpiParams withDataPort(DataPort port) {
        return new Arm64AcpiParams(mpidrs, gicdBase, gicrBase, gicrStride, uartBase, uartSize, uartGsiv, pmuGsiv, gtdt,
                Optional.of(port));
    }

    /**
     * QEMU virt's map from {@link Arm64Layout}: GICD, GICR, the PL011 and its INTID, the
     * {@link Arm64Layout#mpidr MPIDRs}, no PMU, the timer PPIs ({@link Gtdt#qemuVirt()}).
     */
    public static Arm64AcpiParams qemuVirt(int cpus) {
        if (cpus < 1 || cpus > Arm64Layout.MAX_CPUS) {
            throw new AcpiException("arm64 ACPI: " + cpus + " CPUs; QEMU virt's first redistributor region holds 1 to "
                    + Arm64Layout.MAX_CPUS);
        }
        List<Long> mpidrs = new ArrayList<>();
        for (int i = 0; i < cpus; i++) {
            mpidrs.add(Arm64Layout.mpidr(i));
        }
        return new Arm64AcpiParams(mpidrs, Arm64Layout.GICD_BASE, Arm64Layout.GICR_BASE, Arm64Layout.GICR_STRIDE,
                Arm64Layout.UART_BASE, Arm64Layout.UART_SIZE, Arm64Layout.UART_INTID, 0, Gtdt.qemuVirt());
    }
}
