package dev.linuxvm.engine.boot.x86;

import java.util.HexFormat;

/** Golden bytes written row by row: {@code bytes(row("55 AA"), // boot_flag ...)}. */
final class Hex {
    private Hex() {
    }

    static String row(String hex) {
        return hex;
    }

    static byte[] bytes(String... rows) {
        return HexFormat.of().parseHex(String.join("", rows).replace(" ", ""));
    }
}
