package dev.linuxvm.engine.backend.qemu;

import java.io.ByteArrayOutputStream;

/** Appends hand-encoded machine code and little-endian immediates; {@link #position()} is the next offset. */
final class LittleEndianCode {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    LittleEndianCode bytes(int... values) {
        for (int v : values) {
            out.write(v);
        }
        return this;
    }

    LittleEndianCode u16(long v) {
        return bytes((int) v & 0xff, (int) (v >>> 8) & 0xff);
    }

    LittleEndianCode u32(long v) {
        return u16(v & 0xffff).u16(v >>> 16);
    }

    LittleEndianCode u64(long v) {
        return u32(v & 0xffff_ffffL).u32(v >>> 32);
    }

    int position() {
        return out.size();
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
