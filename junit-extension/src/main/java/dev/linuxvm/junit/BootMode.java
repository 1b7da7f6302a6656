package dev.linuxvm.junit;

/** How the guest learns about its hardware. */
public enum BootMode {
    /** ACPI tables (aarch64: reached through a minimal EFI system table). The default. */
    ACPI("acpi"),
    /** A flattened device tree; aarch64 only (x86_64 Linux does not boot from a DT here). */
    DEVICE_TREE("device-tree");

    private final String displayName;

    BootMode(String displayName) {
        this.displayName = displayName;
    }

    /** Lower-case name used in display names and report directories ("acpi", "device-tree"). */
    public String displayName() {
        return displayName;
    }

    @Override
    public String toString() {
        return displayName;
    }
}
