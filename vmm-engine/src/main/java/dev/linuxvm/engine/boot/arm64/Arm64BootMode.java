package dev.linuxvm.engine.boot.arm64;

/** How the kernel learns about the machine (see Documentation/arch/arm64/booting.rst and acpi_object_usage.rst). */
public enum Arm64BootMode {
    /** EFI system table + memory map + ACPI tables, announced through a /chosen-only stub DT (the default). */
    ACPI,
    /** A full device tree; no EFI, no ACPI. */
    DEVICE_TREE
}
