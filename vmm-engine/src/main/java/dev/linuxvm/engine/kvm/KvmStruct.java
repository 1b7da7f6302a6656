package dev.linuxvm.engine.kvm;

import com.sun.jna.Structure;

/** Base of the fixed-size KVM structures: exposes field offsets so tests can pin the layout. */
public abstract class KvmStruct extends Structure {
    /** Byte offset of the C field {@code name}, as JNA lays it out. */
    public int offsetOf(String name) {
        return fieldOffset(name);
    }
}
