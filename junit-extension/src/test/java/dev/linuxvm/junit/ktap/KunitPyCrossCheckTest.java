package dev.linuxvm.junit.ktap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.linuxvm.kernels.KernelSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reads the samples with Linux's own parser, tools/testing/kunit/kunit_parser.py (through
 * kunit_tree.py beside the samples), and compares its tree of names and statuses with ours.
 * Needs python3 and a Linux source tree's tools/testing/kunit: {@code -Dlinuxvm.kunit.dir=DIR} or
 * {@code LINUXVM_KUNIT_DIR} if given, else the one of Debian's linux-source that
 * {@link KernelSource} provisions into the guest cache (downloaded on first use).
 */
class KunitPyCrossCheckTest {
    static final String KUNIT_DIR_PROPERTY = "linuxvm.kunit.dir";
    static final String KUNIT_DIR_ENV = "LINUXVM_KUNIT_DIR";

    private static Path kunitDir;

    /** In each test rather than once, so every skipped test carries the reason in the report. */
    @BeforeEach
    void findKunit() {
        String dir = System.getProperty(KUNIT_DIR_PROPERTY, System.getenv(KUNIT_DIR_ENV));
        if (dir == null && kunitDir == null) {
            kunitDir = KernelSource.fromEnvironment(line -> System.out.println("linuxvm: " + line)).get().kunitTool();
        } else if (dir != null) {
            kunitDir = Path.of(dir);
            assumeTrue(Files.isRegularFile(kunitDir.resolve("kunit_parser.py")),
                    KUNIT_DIR_PROPERTY + "=" + dir + " holds no kunit_parser.py");
        }
    }

    /** kunit_parser's statuses for ours; TODO and XFAIL have none (kunit.py knows neither). */
    private static String kunitStatus(KtapStatus status) {
        return switch (status) {
            case PASS -> "SUCCESS";
            case FAIL, TIMEOUT, ERROR -> "FAILURE";
            case SKIP -> "SKIPPED";
            case MISSING -> "TEST_CRASHED";
            case TODO, XFAIL -> status.name();
        };
    }

    private static List<String> ours(String sample) {
        var lines = new ArrayList<String>();
        Samples.parse(sample).results().forEach(r -> walk(r, 1, lines));
        return lines;
    }

    private static void walk(KtapResult r, int depth, List<String> lines) {
        lines.add((depth + " " + kunitStatus(r.status()) + " " + r.name()).stripTrailing());
        r.children().forEach(c -> walk(c, depth + 1, lines));
    }

    private static List<String> kunitPy(String sample) throws IOException, InterruptedException {
        var process = new ProcessBuilder("python3", Samples.path("kunit_tree.py").toString(), kunitDir.toString())
                .redirectInput(Samples.path(sample).toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kunit_tree.py finished").isTrue();
        assertThat(process.exitValue()).as("kunit_tree.py exit status").isZero();
        return new String(out, StandardCharsets.UTF_8).lines().map(String::stripTrailing).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"kunit-boot-nested.log", "ktap-spec-example.ktap", "kunit-tap14-tabs.log",
            "kselftest-tap13.log", "kunit-crash-in-the-middle.log", "bail-out.tap"})
    void kunit_py_reads_the_same_tree(String sample) throws Exception {
        assertThat(ours(sample)).isEqualTo(kunitPy(sample));
    }

    @Test
    void kunit_py_reads_only_the_first_document_and_keeps_lab_lines_as_logs() throws Exception {
        List<String> first = new ArrayList<>();
        KtapParser.create().parseAll(Samples.path("lab-console.log")).get(0).results().forEach(r -> walk(r, 1, first));

        assertThat(kunitPy("lab-console.log")).isEqualTo(first);
    }

    @Test
    void kunit_py_silently_drops_results_beyond_the_plan_where_we_report_a_mismatch() throws Exception {
        assertThat(kunitPy("plan-mismatch.tap")).isEqualTo(ours("plan-mismatch.tap").subList(0, 2));
        assertThat(ours("plan-mismatch.tap")).last().isEqualTo("1 SUCCESS third");
    }

    @Test
    void kunit_py_knows_no_todo_xfail_or_lowercase_skip_and_falls_back_to_ok_or_not_ok() throws Exception {
        assertThat(ours("directives.tap")).containsExactly("1 SUCCESS plain pass", "1 SKIPPED needs a device",
                "1 TODO known broken", "1 SUCCESS check return code", "1 XFAIL expected to fail",
                "1 SKIPPED skipped though not ok");
        assertThat(kunitPy("directives.tap")).containsExactly("1 SUCCESS plain pass", "1 SKIPPED needs a device",
                "1 FAILURE known broken", "1 SUCCESS check return code", "1 SUCCESS expected to fail",
                "1 FAILURE skipped though not ok");
    }
}
