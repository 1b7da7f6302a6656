package dev.linuxvm.engine.acpi.aml;

/** Test helper: bytes from hex rows ("08 5F 53 35 5F", whitespace and newlines ignored). */
public final class Hex {
    private Hex() {
    }

    public static byte[] bytes(String... rows) {
        String hex = String.join(" ", rows).replaceAll("\\s+", "");
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
