package dev.linuxvm.engine.acpi;

/**
 * Generic Address Structure (ACPI 6.5 section 5.2.3.2, Table 5.1; 12 bytes): Address Space ID,
 * Register Bit Width, Register Bit Offset, Access Size (0 undefined, 1 byte, 2 word, 3 dword,
 * 4 qword), Address (64).
 */
public record Gas(int addressSpaceId, int registerBitWidth, int registerBitOffset, int accessSize, long address) {
    /** Size in bytes. */
    public static final int SIZE = 12;
    /** Address Space ID: system memory. */
    public static final int SYSTEM_MEMORY = 0;
    /** Address Space ID: system I/O. */
    public static final int SYSTEM_IO = 1;
    /** Access Size: byte. */
    public static final int ACCESS_BYTE = 1;
    /** Access Size: word. */
    public static final int ACCESS_WORD = 2;
    /** Access Size: dword. */
    public static final int ACCESS_DWORD = 3;

    /** The all-zero GAS: "not present". */
    public static final Gas NONE = new Gas(0, 0, 0, 0, 0);

    /** An I/O port register of {@code bytes} bytes accessed as a whole. */
    public static Gas io(int port, int bytes) {
        int access = switch (bytes) {
            case 1 -> ACCESS_BYTE;
            case 2 -> ACCESS_WORD;
            case 4 -> ACCESS_DWORD;
            default -> throw new AcpiException("GAS: I/O register width " + bytes + " must be 1, 2 or 4 bytes");
        };
        return new Gas(SYSTEM_IO, 8 * bytes, 0, access, port);
    }

    public void write(TableWriter w) {
        w.u8(addressSpaceId).u8(registerBitWidth).u8(registerBitOffset).u8(accessSize).u64(address);
    }
}
