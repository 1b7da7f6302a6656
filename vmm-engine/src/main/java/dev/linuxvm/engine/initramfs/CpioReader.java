package dev.linuxvm.engine.initramfs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads newc archives the way the kernel's {@code init/initramfs.c} does: gzip-compressed or
 * not, several archives concatenated (zero padding between them is skipped), the
 * {@code TRAILER!!!} entries themselves not reported.
 */
public final class CpioReader {
    private static final int GZIP_MAGIC0 = 0x1f;
    private static final int GZIP_MAGIC1 = 0x8b;

    private CpioReader() {
    }

    /**
     * Most bytes a gzip-compressed archive may decompress to: far more than any guest's initramfs,
     * and a limit, so that a small corrupt or hostile file (deflate expands up to ~1000x) ends in a
     * {@link CpioException} instead of an OutOfMemoryError.
     */
    public static final int MAX_DECOMPRESSED_SIZE = 1 << 30;

    /**
     * All entries of all concatenated archives in {@code archive}, in order. A malformed,
     * truncated or oversized archive ends in a {@link CpioException} naming the entry or offset.
     */
    public static List<CpioEntry> read(byte[] archive) {
        return read(archive, MAX_DECOMPRESSED_SIZE);
    }

    static List<CpioEntry> read(byte[] archive, int maxDecompressedSize) {
        byte[] raw = isGzip(archive) ? gunzip(archive, maxDecompressedSize) : archive;
        List<CpioEntry> entries = new ArrayList<>();
        int pos = 0;
        while (pos < raw.length) {
            if (raw[pos] == 0) {
                pos++; // padding between concatenated archives
                continue;
            }
            NewcHeader h = NewcHeader.parse(raw, pos);
            int nameStart = pos + NewcHeader.SIZE;
            if (h.c_namesize() < 1 || h.c_namesize() > raw.length - nameStart) {
                throw new CpioException("truncated cpio archive: name of entry at offset " + pos
                    + " (" + h.c_namesize() + " bytes) runs past the end");
            }
            int nameEnd = nameStart + (int) h.c_namesize();
            String name = new String(raw, nameStart, (int) h.c_namesize() - 1, StandardCharsets.UTF_8);
            int dataStart = (int) NewcHeader.align(nameEnd);
            long dataEnd = (long) dataStart + h.c_filesize();
            if (dataEnd > raw.length) {
                throw new CpioException("truncated cpio archive: data of '" + name + "' ("
                    + h.c_filesize() + " bytes at offset " + dataStart + ") runs past the end ("
                    + raw.length + " bytes)");
            }
            if (!name.equals(NewcHeader.TRAILER)) {
                entries.add(new CpioEntry(name, h, Arrays.copyOfRange(raw, dataStart, (int) dataEnd)));
            }
            pos = (int) NewcHeader.align(dataEnd);
        }
        return entries;
    }

    /** The final view after all archives are unpacked: later entries of the same name win. */
    public static Map<String, CpioEntry> readTree(byte[] archive) {
        Map<String, CpioEntry> tree = new LinkedHashMap<>();
        for (CpioEntry e : read(archive)) {
            tree.put(e.name(), e);
        }
        return tree;
    }

    static boolean isGzip(byte[] b) {
        return b.length >= 2 && (b[0] & 0xff) == GZIP_MAGIC0 && (b[1] & 0xff) == GZIP_MAGIC1;
    }

    private static byte[] gunzip(byte[] gz, int limit) {
        // GZIPInputStream also reads concatenated gzip members, i.e. appended compressed archives.
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), 1 << 16)) {
            byte[] raw = in.readNBytes(limit);
            if (in.read() >= 0) {
                throw new CpioException("gzip cpio archive of " + gz.length + " bytes decompresses to more than "
                    + limit + " bytes: it is corrupt or not an initramfs");
            }
            return raw;
        } catch (IOException e) {
            throw new CpioException("cannot decompress gzip cpio archive: " + e.getMessage(), e);
        }
    }
}
