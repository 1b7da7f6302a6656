package dev.linuxvm.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What this JVM holds, read from {@code /proc/self} (proc(5)): open file descriptors, Java
 * threads and kernel tasks, memory mappings and resident set size. Taken after a
 * {@code System.gc()}, so unreachable {@code Cleaner}-managed handles are released first.
 *
 * @param fds         entries of /proc/self/fd (the listing's own descriptor included, as every time)
 * @param javaThreads live Java threads ({@link Thread#getAllStackTraces()})
 * @param tasks       entries of /proc/self/task: every kernel thread of the JVM, GC and JIT workers included
 * @param mappings    lines of /proc/self/maps
 * @param rssKib      VmRSS of /proc/self/status, in KiB
 */
public record ProcSelf(int fds, int javaThreads, int tasks, int mappings, long rssKib) {
    public static ProcSelf now() {
        System.gc();
        try {
            return new ProcSelf(count(Path.of("/proc/self/fd")), Thread.getAllStackTraces().size(),
                    count(Path.of("/proc/self/task")), Files.readAllLines(Path.of("/proc/self/maps")).size(), readRssKib());
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self", e);
        }
    }

    /** fd number → what it points at (a file, {@code socket:[…]}, {@code anon_inode:kvm-vm}). */
    public static Map<String, String> openFds() {
        Map<String, String> fds = new TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            s.forEach(p -> {
                try {
                    fds.put(p.getFileName().toString(), Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // the listing's own descriptor, closed by now
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("listing /proc/self/fd", e);
        }
        return fds;
    }

    /**
     * A baseline of the open descriptors: a listing once it equals the one taken 50 ms before, or
     * the last after about a second. A single listing can catch a descriptor the JVM holds for an
     * instant (the cgroup's memory.limit_in_bytes was caught in one), and a leak check against it
     * then fails on the descriptor being gone and its number reused.
     */
    public static Map<String, String> steadyOpenFds() throws InterruptedException {
        Map<String, String> before = openFds();
        for (int i = 0; i < 20; i++) {
            Thread.sleep(50);
            Map<String, String> now = openFds();
            if (now.equals(before)) {
                return now;
            }
            before = now;
        }
        return before;
    }

    /**
     * The open descriptors once they equal {@code expected}, or the last listing after about a
     * second: the JVM's own threads open files for an instant (a compiler thread reading the
     * cgroup's memory.stat was caught once), while a leak stays.
     */
    public static Map<String, String> openFdsSettlingTo(Map<String, String> expected) throws InterruptedException {
        Map<String, String> now = openFds();
        for (int i = 0; i < 20 && !now.equals(expected); i++) {
            Thread.sleep(50);
            now = openFds();
        }
        return now;
    }

    private static int count(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.count();
        }
    }

    private static long readRssKib() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                .findFirst().orElseThrow();
    }

    @Override
    public String toString() {
        return fds + " fds, " + javaThreads + " Java threads (" + tasks + " tasks), " + mappings + " mappings, RSS "
                + rssKib / 1024 + " MiB";
    }
}
