package dev.linuxvm.engine.kvm;

import com.sun.jna.Memory;

/** A device file descriptor from KVM_CREATE_DEVICE. */
public final class KvmDevice extends Fd {
    KvmDevice(int fd) {
        super(fd);
    }

    /** KVM_SET_DEVICE_ATTR with a 64-bit value. */
    public void setAttr(int group, long attr, long value) {
        Memory m = new Memory(8);
        m.setLong(0, value);
        KvmDeviceAttr a = new KvmDeviceAttr();
        a.group = group;
        a.attr = attr;
        a.addr = com.sun.jna.Pointer.nativeValue(m);
        ioctl(Ioctls.KVM_SET_DEVICE_ATTR, a);
        java.lang.ref.Reference.reachabilityFence(m); // KVM read the value through a.addr
    }

    /** KVM_SET_DEVICE_ATTR with no value (addr = 0), e.g. KVM_DEV_ARM_VGIC_CTRL_INIT. */
    public void setAttr(int group, long attr) {
        KvmDeviceAttr a = new KvmDeviceAttr();
        a.group = group;
        a.attr = attr;
        ioctl(Ioctls.KVM_SET_DEVICE_ATTR, a);
    }

    /** KVM_GET_DEVICE_ATTR of a 32- or 64-bit value ({@code bytes} 4 or 8), zero-extended. */
    public long getAttr(int group, long attr, int bytes) {
        Memory m = new Memory(8);
        m.setLong(0, 0);
        KvmDeviceAttr a = new KvmDeviceAttr();
        a.group = group;
        a.attr = attr;
        a.addr = com.sun.jna.Pointer.nativeValue(m);
        ioctl(Ioctls.KVM_GET_DEVICE_ATTR, a);
        return bytes == 4 ? m.getInt(0) & 0xFFFF_FFFFL : m.getLong(0);
    }

    /** KVM_SET_DEVICE_ATTR of a 32- or 64-bit value ({@code bytes} 4 or 8). */
    public void setAttr(int group, long attr, long value, int bytes) {
        Memory m = new Memory(8);
        if (bytes == 4) {
            m.setInt(0, (int) value);
        } else {
            m.setLong(0, value);
        }
        KvmDeviceAttr a = new KvmDeviceAttr();
        a.group = group;
        a.attr = attr;
        a.addr = com.sun.jna.Pointer.nativeValue(m);
        ioctl(Ioctls.KVM_SET_DEVICE_ATTR, a);
        java.lang.ref.Reference.reachabilityFence(m);
    }
}
