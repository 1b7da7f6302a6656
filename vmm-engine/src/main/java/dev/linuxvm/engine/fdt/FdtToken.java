package dev.linuxvm.engine.fdt;

/** Structure block tokens (Devicetree Specification v0.4, section 5.4.1), each a big-endian u32. */
final class FdtToken {
    /** Start of a node; followed by its NUL-terminated name, padded to 4 bytes. */
    static final int FDT_BEGIN_NODE = 0x1;
    /** End of the innermost open node. */
    static final int FDT_END_NODE = 0x2;
    /** A property: u32 len, u32 nameoff (into the strings block), then len value bytes, padded to 4. */
    static final int FDT_PROP = 0x3;
    /** Ignored by readers. */
    static final int FDT_NOP = 0x4;
    /** End of the structure block. */
    static final int FDT_END = 0x9;

    private FdtToken() {
    }
}
