package dev.linuxvm.engine.launch;

/** How the guest kernel learns about the machine. */
public enum BootMode {
    /** ACPI tables (x86_64: RSDP at 0xE0000; aarch64: through a synthesized EFI system table). The default. */
    ACPI,
    /** A full flattened device tree, no ACPI and no EFI (aarch64 only). */
    DEVICE_TREE;

    /** "acpi" / "device-tree", as display names and CLI values spell it. */
    public String displayName() {
        return this == ACPI ? "acpi" : "device-tree";
    }
}
