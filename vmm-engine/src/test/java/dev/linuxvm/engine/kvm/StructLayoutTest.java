package dev.linuxvm.engine.kvm;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sizes and offsets against the kernel header (values printed by a C program compiled against
 * linux-libc-dev 6.1's linux/kvm.h with sizeof/offsetof on x86_64; arm64 structures from
 * arch/arm64/include/uapi/asm/kvm.h).
 */
class StructLayoutTest {
    @Test
    void kvm_regs() {
        KvmRegs r = new KvmRegs();
        assertThat(r.size()).isEqualTo(KvmRegs.SIZE).isEqualTo(144);
        assertThat(r.offsetOf("rsi")).isEqualTo(32);
        assertThat(r.offsetOf("rsp")).isEqualTo(48);
        assertThat(r.offsetOf("rip")).isEqualTo(128);
        assertThat(r.offsetOf("rflags")).isEqualTo(136);
    }

    @Test
    void kvm_segment_and_dtable() {
        KvmSegment s = new KvmSegment();
        assertThat(s.size()).isEqualTo(KvmSegment.SIZE).isEqualTo(24);
        assertThat(s.offsetOf("limit")).isEqualTo(8);
        assertThat(s.offsetOf("selector")).isEqualTo(12);
        assertThat(s.offsetOf("type")).isEqualTo(14);
        assertThat(s.offsetOf("present")).isEqualTo(15);
        assertThat(s.offsetOf("dpl")).isEqualTo(16);
        assertThat(s.offsetOf("l")).isEqualTo(19);
        assertThat(s.offsetOf("g")).isEqualTo(20);
        assertThat(s.offsetOf("unusable")).isEqualTo(22);
        KvmDtable d = new KvmDtable();
        assertThat(d.size()).isEqualTo(KvmDtable.SIZE).isEqualTo(16);
        assertThat(d.offsetOf("limit")).isEqualTo(8);
    }

    @Test
    void kvm_sregs() {
        KvmSregs s = new KvmSregs();
        assertThat(s.size()).isEqualTo(KvmSregs.SIZE).isEqualTo(312);
        assertThat(s.offsetOf("ss")).isEqualTo(120);
        assertThat(s.offsetOf("tr")).isEqualTo(144);
        assertThat(s.offsetOf("ldt")).isEqualTo(168);
        assertThat(s.offsetOf("gdt")).isEqualTo(192);
        assertThat(s.offsetOf("idt")).isEqualTo(208);
        assertThat(s.offsetOf("cr0")).isEqualTo(224);
        assertThat(s.offsetOf("cr3")).isEqualTo(240);
        assertThat(s.offsetOf("cr4")).isEqualTo(248);
        assertThat(s.offsetOf("efer")).isEqualTo(264);
        assertThat(s.offsetOf("apic_base")).isEqualTo(272);
        assertThat(s.offsetOf("interrupt_bitmap")).isEqualTo(280);
    }

    @Test
    void kvm_fpu() {
        KvmFpu f = new KvmFpu();
        assertThat(f.size()).isEqualTo(KvmFpu.SIZE).isEqualTo(416);
        assertThat(f.offsetOf("fcw")).isEqualTo(128);
        assertThat(f.offsetOf("last_ip")).isEqualTo(136);
        assertThat(f.offsetOf("xmm")).isEqualTo(152);
        assertThat(f.offsetOf("mxcsr")).isEqualTo(408);
    }

    @Test
    void small_structures() {
        KvmUserspaceMemoryRegion m = new KvmUserspaceMemoryRegion();
        assertThat(m.size()).isEqualTo(KvmUserspaceMemoryRegion.SIZE).isEqualTo(32);
        assertThat(m.offsetOf("guest_phys_addr")).isEqualTo(8);
        assertThat(m.offsetOf("memory_size")).isEqualTo(16);
        assertThat(m.offsetOf("userspace_addr")).isEqualTo(24);
        assertThat(new KvmPitConfig().size()).isEqualTo(KvmPitConfig.SIZE).isEqualTo(64);
        assertThat(new KvmIrqLevel().size()).isEqualTo(KvmIrqLevel.SIZE).isEqualTo(8);
        assertThat(new KvmOneReg().size()).isEqualTo(KvmOneReg.SIZE).isEqualTo(16);
        assertThat(new KvmVcpuInit().size()).isEqualTo(KvmVcpuInit.SIZE).isEqualTo(32);
        KvmCreateDevice cd = new KvmCreateDevice();
        assertThat(cd.size()).isEqualTo(KvmCreateDevice.SIZE).isEqualTo(12);
        assertThat(cd.offsetOf("fd")).isEqualTo(4);
        KvmDeviceAttr da = new KvmDeviceAttr();
        assertThat(da.size()).isEqualTo(KvmDeviceAttr.SIZE).isEqualTo(24);
        assertThat(da.offsetOf("attr")).isEqualTo(8);
        assertThat(da.offsetOf("addr")).isEqualTo(16);
        KvmTranslation t = new KvmTranslation();
        assertThat(t.size()).isEqualTo(KvmTranslation.SIZE).isEqualTo(24);
        assertThat(t.offsetOf("valid")).isEqualTo(16);
    }

    @Test
    void kvm_cpuid2_round_trips_entries_at_40_byte_stride() {
        KvmCpuidEntry2 e = new KvmCpuidEntry2();
        e.function = 0x7;
        e.index = 0;
        e.flags = KvmCpuidEntry2.KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
        e.eax = 1;
        e.ebx = 2;
        e.ecx = 3;
        e.edx = 4;
        KvmCpuidEntry2 f = e.copy();
        f.function = 0xD;
        ByteBuffer b = KvmCpuid2.encode(List.of(e, f));
        assertThat(b.capacity()).isEqualTo(8 + 2 * 40);
        assertThat(b.getInt(0)).as("nent").isEqualTo(2);
        assertThat(b.getInt(8 + 40)).as("second entry's function").isEqualTo(0xD);
        assertThat(b.getInt(8 + 12)).as("eax at +12").isEqualTo(1);
        assertThat(b.getInt(8 + 24)).as("edx at +24").isEqualTo(4);
        assertThat(KvmCpuid2.decode(b)).extracting(x -> x.function).containsExactly(0x7, 0xD);
    }

    @Test
    void kvm_msrs_entries_are_16_bytes_after_an_8_byte_header() {
        Map<Integer, Long> msrs = new LinkedHashMap<>();
        msrs.put(0x1A0, 1L);
        msrs.put(0xC000_0080, 0x500L);
        ByteBuffer b = KvmMsrs.encode(msrs);
        assertThat(b.capacity()).isEqualTo(8 + 2 * 16);
        assertThat(b.getInt(0)).isEqualTo(2);
        assertThat(b.getInt(8)).isEqualTo(0x1A0);
        assertThat(b.getLong(16)).isEqualTo(1L);
        assertThat(b.getInt(24)).isEqualTo(0xC000_0080);
        assertThat(b.getLong(32)).isEqualTo(0x500L);
    }

    @Test
    void kvm_irq_routing_and_kvm_lapic_state() {
        // sizeof(struct kvm_irq_routing) 8, sizeof(struct kvm_irq_routing_entry) 48,
        // offsetof(kvm_irq_routing_entry, u) 16, sizeof(struct kvm_irq_routing_irqchip) 8,
        // sizeof(struct kvm_lapic_state) 1024 (gcc, linux-libc-dev 6.1, x86_64)
        assertThat(KvmIrqRouting.HEADER_SIZE).isEqualTo(8);
        assertThat(KvmIrqRouting.ENTRY_SIZE).isEqualTo(48);
        assertThat(KvmIrqRouting.ENTRY_OFF_u_irqchip_irqchip).isEqualTo(16);
        assertThat(KvmIrqRouting.ENTRY_OFF_u_irqchip_pin).isEqualTo(20);
        assertThat(KvmIrqRouting.KVM_IRQ_ROUTING_IRQCHIP).isEqualTo(1);
        assertThat(X86Lapic.SIZE).isEqualTo(1024);
    }

    @Test
    void kvm_run_offsets() {
        assertThat(KvmRun.immediate_exit).isEqualTo(1);
        assertThat(KvmRun.exit_reason).isEqualTo(8);
        assertThat(KvmRun.io_direction).isEqualTo(32);
        assertThat(KvmRun.io_size).isEqualTo(33);
        assertThat(KvmRun.io_port).isEqualTo(34);
        assertThat(KvmRun.io_count).isEqualTo(36);
        assertThat(KvmRun.io_data_offset).isEqualTo(40);
        assertThat(KvmRun.mmio_phys_addr).isEqualTo(32);
        assertThat(KvmRun.mmio_data).isEqualTo(40);
        assertThat(KvmRun.mmio_len).isEqualTo(48);
        assertThat(KvmRun.mmio_is_write).isEqualTo(52);
        assertThat(KvmRun.fail_entry_cpu).isEqualTo(40);
        assertThat(KvmRun.internal_ndata).isEqualTo(36);
        assertThat(KvmRun.internal_data).isEqualTo(40);
        assertThat(KvmRun.system_event_type).isEqualTo(32);
        assertThat(KvmRun.msr_error).isEqualTo(32);
        assertThat(KvmRun.msr_reason).isEqualTo(40);
        assertThat(KvmRun.msr_index).isEqualTo(44);
        assertThat(KvmRun.msr_data).isEqualTo(48);
        assertThat(KvmRun.SIZE).isEqualTo(2352);
    }

    /** sizeof/offsetof from a C program built against linux/kvm.h and asm/kvm.h. */
    @Test
    void kvm_msr_filter_and_enable_cap_layout() {
        assertThat(KvmMsrFilter.SIZE).isEqualTo(392);
        assertThat(KvmMsrFilter.RANGES_OFFSET).isEqualTo(8);
        assertThat(KvmMsrFilter.RANGE_SIZE).isEqualTo(24);
        assertThat(KvmMsrFilter.RANGE_BITMAP_OFFSET).isEqualTo(16);
        assertThat(KvmMsrFilter.ENABLE_CAP_SIZE).isEqualTo(104);
    }

    @Test
    void msr_filter_denies_the_range_for_reads_and_writes_and_points_at_a_zero_bitmap() {
        com.sun.jna.Memory m = KvmMsrFilter.denying(0xC001_0000, 8);
        assertThat(m.getInt(0)).as("flags: default allow").isZero();
        assertThat(m.getInt(8)).as("range flags: READ | WRITE").isEqualTo(3);
        assertThat(m.getInt(12)).as("nmsrs").isEqualTo(8);
        assertThat(m.getInt(16)).as("base").isEqualTo(0xC001_0000);
        assertThat(com.sun.jna.Pointer.nativeValue(m.getPointer(24))).isEqualTo(com.sun.jna.Pointer.nativeValue(m) + 392);
        assertThat(m.getByte(392)).as("bitmap: every MSR denied").isZero();
        assertThat(m.getInt(8 + 24)).as("second range unused").isZero();
    }

    @Test
    void decodes_msr_exits() {
        ByteBuffer b = run(KvmRun.KVM_EXIT_X86_WRMSR);
        b.putInt(KvmRun.msr_reason, 4);
        b.putInt(KvmRun.msr_index, 0xC001_0007);
        b.putLong(KvmRun.msr_data, 0xFFFF);
        assertThat(KvmRun.decode(b)).isEqualTo(new VcpuExit.Msr(true, 0xC001_0007, 0xFFFF, 4));
        assertThat(KvmRun.decode(run(KvmRun.KVM_EXIT_X86_RDMSR))).isEqualTo(new VcpuExit.Msr(false, 0, 0, 0));
    }

    private static ByteBuffer run(int reason) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
        b.putInt(KvmRun.exit_reason, reason);
        return b;
    }

    @Test
    void decodes_an_io_out_exit() {
        ByteBuffer b = run(2);              // KVM_EXIT_IO
        b.put(32, (byte) 1);                 // io.direction = KVM_EXIT_IO_OUT
        b.put(33, (byte) 2);                 // io.size
        b.putShort(34, (short) 0x604);       // io.port
        b.putInt(36, 1);                     // io.count
        b.putLong(40, 4096);                 // io.data_offset
        assertThat(KvmRun.decode(b)).isEqualTo(new VcpuExit.Io(true, 2, 0x604, 1, 4096));
    }

    @Test
    void decodes_a_high_port_without_sign_extension() {
        ByteBuffer b = run(2);
        b.putShort(34, (short) 0xCF9);
        b.put(33, (byte) 1);
        b.putInt(36, 1);
        assertThat(((VcpuExit.Io) KvmRun.decode(b)).port()).isEqualTo(0xCF9);
        b.putShort(34, (short) 0xFFFF);
        assertThat(((VcpuExit.Io) KvmRun.decode(b)).port()).isEqualTo(0xFFFF);
    }

    @Test
    void decodes_mmio_internal_error_system_event_and_others() {
        ByteBuffer b = run(6);               // KVM_EXIT_MMIO
        b.putLong(32, 0x0900_0000L);         // mmio.phys_addr
        b.putInt(48, 4);                     // mmio.len
        b.put(52, (byte) 1);                 // mmio.is_write
        assertThat(KvmRun.decode(b)).isEqualTo(new VcpuExit.Mmio(0x0900_0000L, 4, true));

        b = run(17);                         // KVM_EXIT_INTERNAL_ERROR
        b.putInt(32, 1);                     // internal.suberror = EMULATION
        b.putInt(36, 2);                     // internal.ndata
        b.putLong(40, 0xAAL);
        b.putLong(48, 0xBBL);
        VcpuExit.InternalError ie = (VcpuExit.InternalError) KvmRun.decode(b);
        assertThat(ie.suberror()).isEqualTo(1);
        assertThat(ie.data()).containsExactly(0xAAL, 0xBBL);

        b = run(24);                         // KVM_EXIT_SYSTEM_EVENT
        b.putInt(32, 1);                     // system_event.type = SHUTDOWN
        assertThat(KvmRun.decode(b)).isEqualTo(new VcpuExit.SystemEvent(1));

        assertThat(KvmRun.decode(run(8))).isEqualTo(new VcpuExit.Shutdown());
        assertThat(KvmRun.decode(run(5))).isEqualTo(new VcpuExit.Hlt());
        assertThat(KvmRun.decode(run(10))).isEqualTo(new VcpuExit.Interrupted());
        b = run(9);                          // KVM_EXIT_FAIL_ENTRY
        b.putLong(32, 0x21);
        b.putInt(40, 3);
        assertThat(KvmRun.decode(b)).isEqualTo(new VcpuExit.FailEntry(0x21, 3));
        assertThat(KvmRun.decode(run(99))).isInstanceOf(VcpuExit.Other.class);
    }

    /**
     * The snapshot structures, carried as opaque bytes: sizes and the offsets we touch, printed
     * by a C program (sizeof/offsetof) built against linux-libc-dev 6.1.187's linux/kvm.h on x86_64.
     */
    @Test
    void snapshot_structures() {
        assertThat(KvmXsave.SIZE).isEqualTo(4096);
        assertThat(KvmXcrs.SIZE).isEqualTo(392);
        assertThat(KvmMpState.SIZE).isEqualTo(4);
        assertThat(KvmVcpuEvents.SIZE).isEqualTo(64);
        assertThat(KvmVcpuEvents.OFF_flags).isEqualTo(20);
        assertThat(KvmVcpuEvents.KVM_VCPUEVENT_VALID_NMI_PENDING).isEqualTo(1);
        assertThat(KvmVcpuEvents.KVM_VCPUEVENT_VALID_SIPI_VECTOR).isEqualTo(2);
        assertThat(KvmDebugregs.SIZE).isEqualTo(128);
        assertThat(KvmIrqchip.SIZE).isEqualTo(520);
        assertThat(KvmIrqchip.OFF_chip_id).isEqualTo(0);
        assertThat(KvmIrqchip.KVM_IRQCHIP_PIC_MASTER).isEqualTo(0);
        assertThat(KvmIrqchip.KVM_IRQCHIP_PIC_SLAVE).isEqualTo(1);
        assertThat(KvmIrqchip.KVM_IRQCHIP_IOAPIC).isEqualTo(2);
        assertThat(KvmPitState2.SIZE).isEqualTo(112);
        assertThat(KvmClockData.SIZE).isEqualTo(48);
        assertThat(KvmClockData.OFF_clock).isEqualTo(0);
        assertThat(KvmClockData.OFF_flags).isEqualTo(8);
        assertThat(KvmRegList.HEADER_SIZE).isEqualTo(8);
        assertThat(KvmMsrList.HEADER_SIZE).isEqualTo(4);
        assertThat(KvmMpState.KVM_MP_STATE_RUNNABLE).isEqualTo(0);
        assertThat(KvmMpState.KVM_MP_STATE_STOPPED).isEqualTo(5);
    }

    @Test
    void one_reg_ids_carry_their_size() {
        assertThat(KvmRegList.KVM_REG_SIZE_SHIFT).isEqualTo(52);
        assertThat(KvmRegList.KVM_REG_SIZE_MASK).isEqualTo(0x00F0_0000_0000_0000L);
        assertThat(KvmRegList.size(Arm64CoreReg.pc())).isEqualTo(8);
        assertThat(KvmRegList.size(0x6040_0000_0010_0054L)).as("V0, KVM_REG_SIZE_U128").isEqualTo(16);
        assertThat(KvmRegList.size(0x6020_0000_0010_00D4L)).as("FPSR, KVM_REG_SIZE_U32").isEqualTo(4);
    }
}
