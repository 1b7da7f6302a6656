package dev.linuxvm.launcher;

import dev.linuxvm.engine.VmmException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code uname -r} of a kernel file, read from its banner: {@code linux_banner} in
 * {@code init/version.c} is the string {@code "Linux version <release> (<builder>) ..."}, stored
 * as is in an uncompressed vmlinux or arm64 Image.
 */
public final class KernelRelease {
    private static final byte[] BANNER = "Linux version ".getBytes(StandardCharsets.US_ASCII);

    private KernelRelease() {
    }

    /** The release in the first banner whose release starts with a digit (the format string has "%s"). */
    public static Optional<String> find(byte[] image) {
        for (int at = GuestFilesOverlay.indexOf(image, BANNER, 0); at >= 0;
             at = GuestFilesOverlay.indexOf(image, BANNER, at + 1)) {
            int start = at + BANNER.length;
            int end = start;
            while (end < image.length && image[end] > ' ' && image[end] < 0x7f) {
                end++;
            }
            if (end > start && Character.isDigit(image[start])) {
                return Optional.of(new String(image, start, end - start, StandardCharsets.US_ASCII));
            }
        }
        return Optional.empty();
    }

    /** As {@link #find(byte[])} for a file; BAD_INPUT when it has no banner. */
    public static String of(Path kernel) {
        try {
            return find(Files.readAllBytes(kernel)).orElseThrow(() -> new VmmException(VmmException.Kind.BAD_INPUT,
                    "cannot find the kernel release (a \"Linux version\" banner) in " + kernel
                            + ": give the release of the modules' kernel explicitly"));
        } catch (IOException e) {
            throw new VmmException(VmmException.Kind.BAD_INPUT, "cannot read kernel " + kernel + ": " + e.getMessage());
        }
    }
}
