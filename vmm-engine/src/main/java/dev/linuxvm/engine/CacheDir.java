package dev.linuxvm.engine;

import java.nio.file.Path;
import java.util.Map;

/** Where linuxvm keeps what it makes once and reuses: provisioned guests, the QEMU executor's RAM templates. */
public final class CacheDir {
    private CacheDir() {
    }

    /** {@code $LINUXVM_CACHE}, else {@code $XDG_CACHE_HOME/linuxvm}, else {@code ~/.cache/linuxvm}. */
    public static Path of(Map<String, String> env) {
        String own = env.get("LINUXVM_CACHE");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("linuxvm");
    }
}
