package dev.linuxvm.engine.acpi.aml;

/** AML opcodes and prefixes used by this encoder (ACPI 6.5 section 20.3, "AML Byte Stream Byte Values"). */
public final class AmlOpcodes {
    private AmlOpcodes() {
    }

    /** ZeroOp: the integer 0. */
    public static final int ZERO_OP = 0x00;
    /** OneOp: the integer 1. */
    public static final int ONE_OP = 0x01;
    /** NameOp: Name (NameString, DataRefObject). */
    public static final int NAME_OP = 0x08;
    /** BytePrefix: an 8-bit integer follows. */
    public static final int BYTE_PREFIX = 0x0A;
    /** WordPrefix: a 16-bit integer follows. */
    public static final int WORD_PREFIX = 0x0B;
    /** DWordPrefix: a 32-bit integer follows. */
    public static final int DWORD_PREFIX = 0x0C;
    /** StringPrefix: an ASCII string terminated by NUL follows. */
    public static final int STRING_PREFIX = 0x0D;
    /** QWordPrefix: a 64-bit integer follows. */
    public static final int QWORD_PREFIX = 0x0E;
    /** ScopeOp: Scope (PkgLength NameString TermList). */
    public static final int SCOPE_OP = 0x10;
    /** BufferOp: Buffer (PkgLength BufferSize ByteList). */
    public static final int BUFFER_OP = 0x11;
    /** PackageOp: Package (PkgLength NumElements PackageElementList). */
    public static final int PACKAGE_OP = 0x12;
    /** MethodOp: Method (PkgLength NameString MethodFlags TermList). */
    public static final int METHOD_OP = 0x14;
    /** DualNamePrefix: two NameSegs follow. */
    public static final int DUAL_NAME_PREFIX = 0x2E;
    /** MultiNamePrefix: a SegCount byte and that many NameSegs follow. */
    public static final int MULTI_NAME_PREFIX = 0x2F;
    /** ExtOpPrefix: the first byte of two-byte opcodes. */
    public static final int EXT_OP_PREFIX = 0x5B;
    /** DeviceOp (after ExtOpPrefix): Device (PkgLength NameString TermList). */
    public static final int DEVICE_OP = 0x82;
    /** RootChar '\': a name path that starts at the namespace root. */
    public static final int ROOT_CHAR = 0x5C;
    /** ParentPrefixChar '^': one scope up. */
    public static final int PARENT_PREFIX_CHAR = 0x5E;
    /** NullName: an empty name path. */
    public static final int NULL_NAME = 0x00;
    /** ReturnOp: Return (ArgObject). */
    public static final int RETURN_OP = 0xA4;
    /** OnesOp: the integer with all bits set (64-bit in a revision 2 definition block). */
    public static final int ONES_OP = 0xFF;
}
