package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure.FieldOrder;

/** {@code struct kvm_sregs} (arch/x86/include/uapi/asm/kvm.h): segments, control registers, EFER. */
@FieldOrder({"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt", "gdt", "idt",
        "cr0", "cr2", "cr3", "cr4", "cr8", "efer", "apic_base", "interrupt_bitmap"})
public class KvmSregs extends KvmStruct {
    public static final int SIZE = 312;
    /** KVM_NR_INTERRUPTS (256) bits as u64 words. */
    public static final int INTERRUPT_BITMAP_WORDS = (256 + 63) / 64;

    public KvmSegment cs = new KvmSegment(), ds = new KvmSegment(), es = new KvmSegment(),
            fs = new KvmSegment(), gs = new KvmSegment(), ss = new KvmSegment();
    public KvmSegment tr = new KvmSegment(), ldt = new KvmSegment();
    public KvmDtable gdt = new KvmDtable(), idt = new KvmDtable();
    public long cr0, cr2, cr3, cr4, cr8;
    public long efer;
    public long apic_base;
    public long[] interrupt_bitmap = new long[INTERRUPT_BITMAP_WORDS];
}
