package dev.linuxvm.engine.backend.qemu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which RAM templates {@link RamTemplate#prune} deletes: none used within the hour, the four newest of the rest. */
class RamTemplatePruneTest {
    @TempDir
    Path root;

    @Test
    void idle_templates_beyond_the_four_most_recently_used_and_old_leftovers_go_with_their_lists() throws IOException {
        Instant now = Instant.parse("2026-11-30T12:00:00Z");
        for (int i = 0; i < 3; i++) {
            template("busy-" + i, now.minus(Duration.ofMinutes(10 + i)));
        }
        for (int i = 0; i < 6; i++) {
            template("idle-" + i, now.minus(Duration.ofHours(2 + i)));
        }
        touch(root.resolve("idle-9.ram.tmp-123-abc"), now.minus(Duration.ofHours(3)));
        touch(root.resolve("busy-9.ram.tmp-123-abc"), now.minus(Duration.ofMinutes(1))); // a make under way

        RamTemplate.prune(root, now);

        assertThat(names()).containsExactly(
                "busy-0.ram", "busy-0.slices", "busy-1.ram", "busy-1.slices", "busy-2.ram", "busy-2.slices",
                "busy-9.ram.tmp-123-abc",
                "idle-0.ram", "idle-0.slices", "idle-1.ram", "idle-1.slices", "idle-2.ram", "idle-2.slices",
                "idle-3.ram", "idle-3.slices");
    }

    private void template(String name, Instant used) throws IOException {
        touch(root.resolve(name + RamTemplate.SUFFIX), used);
        touch(root.resolve(name + RamTemplate.SLICES_SUFFIX), used.minusSeconds(1));
    }

    private static void touch(Path p, Instant t) throws IOException {
        Files.writeString(p, "x");
        Files.setLastModifiedTime(p, FileTime.from(t));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
