package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure.FieldOrder;

/**
 * {@code struct kvm_segment} (arch/x86/include/uapi/asm/kvm.h): a segment register with its
 * hidden descriptor cache (Intel SDM Vol. 3A, 3.4.5 "Segment Descriptors").
 */
@FieldOrder({"base", "limit", "selector", "type", "present", "dpl", "db", "s", "l", "g", "avl", "unusable", "padding"})
public class KvmSegment extends KvmStruct {
    public static final int SIZE = 24;

    public long base;
    public int limit;
    public short selector;
    public byte type;
    public byte present, dpl, db, s, l, g, avl;
    public byte unusable;
    public byte padding;

    /** Sets the descriptor cache (type: SDM Vol. 3A, 3.4.5.1 "Code- and Data-Segment Descriptor Types"). */
    void set(long base, int limit, int selector, int type, boolean present, int dpl, boolean db, boolean s,
             boolean l, boolean g) {
        this.base = base;
        this.limit = limit;
        this.selector = (short) selector;
        this.type = (byte) type;
        this.present = (byte) (present ? 1 : 0);
        this.dpl = (byte) dpl;
        this.db = (byte) (db ? 1 : 0);
        this.s = (byte) (s ? 1 : 0);
        this.l = (byte) (l ? 1 : 0);
        this.g = (byte) (g ? 1 : 0);
        this.avl = 0;
        this.unusable = 0;
    }
}
