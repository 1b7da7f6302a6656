package dev.linuxvm.engine.initramfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.linuxvm.engine.Fuzz;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes {@link CpioReader} (issue #11): mutants of archives from {@link CpioWriter}, gzipped and
 * concatenated ones, and of the provisioned initramfs's first entries either read back or end in
 * {@link CpioException}.
 */
class CpioReaderFuzzTest {
    /** Offsets of the newc header fields (6 magic chars, then 8 hex digits each) of the first entry. */
    private static final int[] FIELDS = {0, 6, 14, 54, 62, 94, 102};

    static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        CpioWriter w = new CpioWriter().addDirectory("bin", 0755).addFile("init", 0755, "#!/bin/sh\nexec sh\n")
                .addSymlink("bin/sh", "busybox").addCharDevice("dev/console", 0600, 5, 1);
        byte[] plain = w.toByteArray();
        seeds.add(plain);
        seeds.add(new CpioWriter().addFile("a", 0644, new byte[0]).toByteArray());
        byte[] twice = Arrays.copyOf(plain, plain.length + 512 + plain.length); // concatenated, zero padding between
        System.arraycopy(plain, 0, twice, plain.length + 512, plain.length);
        seeds.add(twice);
        seeds.add(w.toGzip());
        Fuzz.provisionedHead("x86_64", "initramfs.cpio.gz", 1 << 20).map(CpioReaderFuzzTest::firstEntries)
                .ifPresentOrElse(seeds::add, () -> System.out.println("CpioReaderFuzzTest: no provisioned initramfs;"
                        + " synthetic seeds only"));
        return seeds;
    }

    /** The whole entries within the first 4 KiB of a (possibly cut) gzipped newc archive. */
    private static byte[] firstEntries(byte[] gzipHead) {
        byte[] raw;
        try (var in = new GZIPInputStream(new ByteArrayInputStream(gzipHead))) {
            raw = in.readNBytes(4096);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int end = 0;
        while (true) {
            try {
                NewcHeader h = NewcHeader.parse(raw, end);
                long next = NewcHeader.align(NewcHeader.align(end + NewcHeader.SIZE + h.c_namesize()) + h.c_filesize());
                if (next > raw.length) {
                    break;
                }
                end = (int) next;
            } catch (CpioException e) {
                break;
            }
        }
        return Arrays.copyOf(raw, end);
    }

    @Provide
    Arbitrary<byte[]> archives() {
        return Fuzz.mutants(seeds(), ByteOrder.BIG_ENDIAN, FIELDS);
    }

    @Property(tries = Fuzz.TRIES)
    void a_mutated_archive_is_read_or_rejected(@ForAll("archives") byte[] archive) {
        List<CpioEntry> entries = Fuzz.parse(CpioException.class, () -> CpioReader.read(archive));
        if (entries == null) {
            return;
        }
        for (CpioEntry e : entries) {
            assertThat((long) e.data().length).isEqualTo(e.header().c_filesize());
            assertThat(e.name()).isNotEqualTo(NewcHeader.TRAILER);
            Fuzz.parse("entry type", CpioException.class, e::type); // unknown mode bits: CpioException
        }
    }

    @Property(tries = Fuzz.TRIES / 5)
    void random_bytes_behind_the_newc_magic_are_read_or_rejected(@ForAll("noise") byte[] archive) {
        Fuzz.parse(CpioException.class, () -> CpioReader.readTree(archive));
    }

    @Provide
    Arbitrary<byte[]> noise() {
        return Fuzz.randomBytes(400, NewcHeader.MAGIC.getBytes(StandardCharsets.US_ASCII),
                "07070100000000".getBytes(StandardCharsets.US_ASCII), new byte[] {0x1f, (byte) 0x8b, 8, 0});
    }
}
