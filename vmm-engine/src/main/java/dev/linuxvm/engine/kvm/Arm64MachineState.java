package dev.linuxvm.engine.kvm;

import dev.linuxvm.engine.devices.Pl011;

import java.util.ArrayList;
import java.util.List;

/**
 * What an aarch64 KVM machine holds besides RAM, captured while no vCPU runs.
 * <ul>
 *   <li>Each vCPU ({@link Vcpu}): every register KVM_GET_REG_LIST names, through ONE_REG, in
 *       KVM's order: core registers (x0-x30, SP, PC, PSTATE, SP_EL1, ELR_EL1, SPSRs, V0-V31,
 *       FPSR, FPCR), the system registers, the PSCI firmware registers (the PSCI version) and
 *       the timer registers (CNTV_CTL, CNTV_CVAL, CNTVCT as KVM_REG_ARM_TIMER_*), and the MP
 *       state (a secondary that never got PSCI CPU_ON is STOPPED).</li>
 *   <li>The vGICv3, through its device attributes (Documentation/virt/kvm/devices/arm-vgic-v3.rst):
 *       the distributor's registers for the SPIs, then per vCPU its redistributor's and its CPU
 *       interface's system registers ({@link GicReg}); the order and the register set follow
 *       Firecracker's gicv3/regs (after QEMU). The clear-registers (ICENABLER, ICPENDR, ...) are
 *       not needed: a new vGIC starts with every bit clear.</li>
 *   <li>Our PL011.</li>
 * </ul>
 * Restore: the vCPUs' registers and MP state, then the vGIC (distributor, then each
 * redistributor and CPU interface), then the PL011, which drives its level again.
 */
record Arm64MachineState(List<Vcpu> vcpus, List<GicReg> gic, Pl011.State uart) implements KvmSnapshot.MachineState {
    /** ONE_REG id of MPIDR_EL1: ARM64_SYS_REG(3, 0, 0, 0, 5) (arch/arm64/include/uapi/asm/kvm.h). */
    static final long MPIDR_EL1 = 0x6030_0000_0013_C005L;

    /** arm64 vGIC attribute groups (arch/arm64/include/uapi/asm/kvm.h). */
    static final int KVM_DEV_ARM_VGIC_GRP_DIST_REGS = 1, KVM_DEV_ARM_VGIC_GRP_NR_IRQS = 3,
            KVM_DEV_ARM_VGIC_GRP_REDIST_REGS = 5, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS = 6;
    /** KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT: the vCPU's affinity in attr bits 63:32. */
    static final int KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT = 32;
    /** SGIs and PPIs: the first 32 INTIDs, banked per redistributor. */
    static final int PRIVATE_IRQS = 32;

    // Distributor registers (GIC architecture specification, IHI 0069, 12.9 "The GIC Distributor register map").
    static final int GICD_CTLR = 0x0000, GICD_STATUSR = 0x0010, GICD_IGROUPR = 0x0080, GICD_ISENABLER = 0x0100,
            GICD_ISPENDR = 0x0200, GICD_ISACTIVER = 0x0300, GICD_IPRIORITYR = 0x0400, GICD_ICFGR = 0x0C00,
            GICD_IROUTER = 0x6000;
    // Redistributor registers (IHI 0069, 12.10/12.11): RD_base frame, then the SGI_base frame at 64 KiB.
    static final int GICR_CTLR = 0x0000, GICR_STATUSR = 0x0010, GICR_WAKER = 0x0014, GICR_PROPBASER = 0x0070,
            GICR_PENDBASER = 0x0078, GICR_SGI_BASE = 0x1_0000;
    /** GICR_ICFGR0 (SGIs) and ICFGR1 (PPIs) follow each other at SGI_base + 0xC00. */
    static final int GICR_IGROUPR0 = GICR_SGI_BASE + 0x0080, GICR_ISENABLER0 = GICR_SGI_BASE + 0x0100,
            GICR_ISPENDR0 = GICR_SGI_BASE + 0x0200, GICR_ISACTIVER0 = GICR_SGI_BASE + 0x0300,
            GICR_IPRIORITYR0 = GICR_SGI_BASE + 0x0400, GICR_ICFGR0 = GICR_SGI_BASE + 0x0C00;
    /** ICC_CTLR_EL1.PRIbits, bits 10:8: implemented priority bits - 1 (IHI 0069, 12.2.6). */
    static final int ICC_CTLR_PRIBITS_SHIFT = 8;

    /** One vCPU: ONE_REG ids and their values, the MP state. */
    record Vcpu(long[] ids, byte[][] values, int mpState) {
    }

    /** One vGIC register access: KVM_SET_DEVICE_ATTR(group, attr) of a {@code bytes}-wide value. */
    record GicReg(int group, long attr, int bytes, long value) {
        GicReg withValue(long v) {
            return new GicReg(group, attr, bytes, v);
        }
    }

    /** ICC system register encodings as vGIC attributes: op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2. */
    static long sysreg(int op0, int op1, int crn, int crm, int op2) {
        return (long) op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2;
    }

    static final long ICC_SRE_EL1 = sysreg(3, 0, 12, 12, 5), ICC_CTLR_EL1 = sysreg(3, 0, 12, 12, 4),
            ICC_IGRPEN0_EL1 = sysreg(3, 0, 12, 12, 6), ICC_IGRPEN1_EL1 = sysreg(3, 0, 12, 12, 7),
            ICC_PMR_EL1 = sysreg(3, 0, 4, 6, 0), ICC_BPR0_EL1 = sysreg(3, 0, 12, 8, 3),
            ICC_BPR1_EL1 = sysreg(3, 0, 12, 12, 3);

    static long icc_ap0r(int n) {
        return sysreg(3, 0, 12, 8, 4 | n);
    }

    static long icc_ap1r(int n) {
        return sysreg(3, 0, 12, 9, n);
    }

    /**
     * The vGIC attribute's affinity of a vCPU from its MPIDR_EL1: Aff3 (MPIDR bits 39:32) in
     * bits 31:24, Aff2..Aff0 in bits 23:0, shifted to attr bits 63:32 (arm-vgic-v3.rst,
     * KVM_DEV_ARM_VGIC_GRP_REDIST_REGS).
     */
    static long gicAffinity(long mpidr) {
        long aff = ((mpidr >>> 8) & 0xFF00_0000L) | (mpidr & 0x00FF_FFFFL);
        return aff << KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT;
    }

    /** The distributor's registers for SPIs 32..nrIrqs-1, 32-bit accesses. */
    static List<GicReg> distributorRegs(int nrIrqs) {
        List<GicReg> regs = new ArrayList<>();
        regs.add(new GicReg(KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_CTLR, 4, 0));
        regs.add(new GicReg(KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_STATUSR, 4, 0));
        perIrq(regs, GICD_ISENABLER, 1, nrIrqs);
        perIrq(regs, GICD_IGROUPR, 1, nrIrqs);
        perIrq(regs, GICD_IROUTER, 64, nrIrqs);
        perIrq(regs, GICD_ICFGR, 2, nrIrqs);
        perIrq(regs, GICD_ISPENDR, 1, nrIrqs);
        perIrq(regs, GICD_ISACTIVER, 1, nrIrqs);
        perIrq(regs, GICD_IPRIORITYR, 8, nrIrqs);
        return regs;
    }

    private static void perIrq(List<GicReg> regs, int base, int bitsPerIrq, int nrIrqs) {
        int from = base + PRIVATE_IRQS * bitsPerIrq / 8, to = base + nrIrqs * bitsPerIrq / 8;
        for (int off = from; off < to; off += 4) {
            regs.add(new GicReg(KVM_DEV_ARM_VGIC_GRP_DIST_REGS, off, 4, 0));
        }
    }

    /** One redistributor's registers (RD_base and SGI_base frames), 32-bit accesses. */
    static List<GicReg> redistributorRegs(long affinity) {
        List<GicReg> regs = new ArrayList<>();
        int[] offsets = {GICR_CTLR, GICR_STATUSR, GICR_WAKER, GICR_PROPBASER, GICR_PROPBASER + 4,
                GICR_PENDBASER, GICR_PENDBASER + 4, GICR_IGROUPR0, GICR_ISENABLER0, GICR_ICFGR0, GICR_ICFGR0 + 4,
                GICR_ISPENDR0, GICR_ISACTIVER0};
        for (int off : offsets) {
            regs.add(new GicReg(KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, affinity | off, 4, 0));
        }
        for (int i = 0; i < 8; i++) {
            regs.add(new GicReg(KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, affinity | (GICR_IPRIORITYR0 + 4 * i), 4, 0));
        }
        return regs;
    }

    /**
     * One CPU interface's system registers, 64-bit accesses; the active-priority registers
     * AP0R1/AP1R1 exist with 6 or more priority bits, AP0R2-3/AP1R2-3 with 7 (IHI 0069, 12.2.1).
     */
    static List<GicReg> cpuInterfaceRegs(long affinity, int priorityBits) {
        List<GicReg> regs = new ArrayList<>();
        for (long r : new long[] {ICC_SRE_EL1, ICC_CTLR_EL1, ICC_IGRPEN0_EL1, ICC_IGRPEN1_EL1, ICC_PMR_EL1,
                ICC_BPR0_EL1, ICC_BPR1_EL1}) {
            regs.add(new GicReg(KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, affinity | r, 8, 0));
        }
        int apRegs = priorityBits >= 7 ? 4 : priorityBits >= 6 ? 2 : 1;
        for (int n = 0; n < apRegs; n++) {
            regs.add(new GicReg(KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, affinity | icc_ap0r(n), 8, 0));
        }
        for (int n = 0; n < apRegs; n++) {
            regs.add(new GicReg(KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, affinity | icc_ap1r(n), 8, 0));
        }
        return regs;
    }

    /** Captures vCPUs and vGIC; no vCPU may be inside KVM_RUN. */
    static Arm64MachineState capture(List<KvmVcpu> vcpus, KvmDevice gic, Pl011 uart) {
        List<Vcpu> states = new ArrayList<>();
        List<Long> affinities = new ArrayList<>();
        for (KvmVcpu v : vcpus) {
            int mp = v.getMpState();
            long[] ids = v.regList();
            byte[][] values = new byte[ids.length][];
            for (int i = 0; i < ids.length; i++) {
                values[i] = v.getOneRegBytes(ids[i]);
            }
            states.add(new Vcpu(ids, values, mp));
            affinities.add(gicAffinity(v.getOneReg(MPIDR_EL1)));
        }
        int nrIrqs = (int) gic.getAttr(KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 4);
        List<GicReg> regs = new ArrayList<>(read(gic, distributorRegs(nrIrqs)));
        for (long aff : affinities) {
            regs.addAll(read(gic, redistributorRegs(aff)));
            long ctlr = gic.getAttr(KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, aff | ICC_CTLR_EL1, 8);
            int priorityBits = (int) ((ctlr >>> ICC_CTLR_PRIBITS_SHIFT) & 7) + 1;
            regs.addAll(read(gic, cpuInterfaceRegs(aff, priorityBits)));
        }
        return new Arm64MachineState(List.copyOf(states), List.copyOf(regs), uart.snapshot());
    }

    private static List<GicReg> read(KvmDevice gic, List<GicReg> regs) {
        List<GicReg> values = new ArrayList<>(regs.size());
        for (GicReg r : regs) {
            try {
                values.add(r.withValue(gic.getAttr(r.group(), r.attr(), r.bytes())));
            } catch (KvmException e) {
                throw new KvmException(String.format("vGIC save: group %d attr 0x%x: %s", r.group(), r.attr(), e.getMessage()), e);
            }
        }
        return values;
    }

    /** Restores one vCPU's registers, then its MP state. */
    static void restore(KvmVcpu v, Vcpu s) {
        for (int i = 0; i < s.ids().length; i++) {
            try {
                v.setOneRegBytes(s.ids()[i], s.values()[i]);
            } catch (KvmException e) {
                throw new KvmException(String.format("vCPU %d: restoring ONE_REG 0x%x: %s", v.id(), s.ids()[i], e.getMessage()), e);
            }
        }
        v.setMpState(s.mpState());
    }

    /** Restores the vGIC, in capture order. */
    void restoreGic(KvmDevice gic) {
        for (GicReg r : this.gic) {
            try {
                gic.setAttr(r.group(), r.attr(), r.value(), r.bytes());
            } catch (KvmException e) {
                throw new KvmException(String.format("vGIC restore: group %d attr 0x%x: %s", r.group(), r.attr(), e.getMessage()), e);
            }
        }
    }
}
