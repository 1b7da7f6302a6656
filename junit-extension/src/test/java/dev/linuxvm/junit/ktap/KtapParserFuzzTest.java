package dev.linuxvm.junit.ktap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.linuxvm.junit.Fuzz;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes {@link KtapParser} (issue #11). Its contract is "never fails": any text, console junk
 * included, gives documents with problems, never an exception, and quickly. Inputs: KTAP-shaped
 * lines with random indentation, numbers (up to the 9 digits a plan may have), directives,
 * printk prefixes, CRs and junk; and the sample logs with lines dropped, repeated and cut.
 */
class KtapParserFuzzTest {
    private static final KtapParser PARSER = KtapParser.create();

    @Provide
    Arbitrary<String> ktapText() {
        Arbitrary<String> number = Arbitraries.oneOf(Arbitraries.integers().between(0, 12).map(String::valueOf),
                Arbitraries.integers().between(0, 999_999_999).map(String::valueOf));
        Arbitrary<String> words = Arbitraries.strings().withChars("abc_ -#:!").ofMaxLength(12);
        Arbitrary<String> junk = Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(30),
                Arbitraries.of("\u0000", "\u001b[31m", "\u2028", "\u0085", "\ufffd", "ok 1\u2028", "1..3\u0085"));
        Arbitrary<String> body = Arbitraries.oneOf(
                Arbitraries.of("KTAP version 1", "TAP version 13", "TAP version 14", "KTAP version 2", "TAP version 999999999"),
                number.map(n -> "1.." + n),
                Combinators.combine(Arbitraries.of("ok", "not ok", "ok -", "not ok -"), number, words,
                        Arbitraries.of("", " # SKIP", " # skipped: why", " # TODO x", " # XFAIL", " # TIMEOUT", " # error", " #"))
                        .as((r, n, w, d) -> r + " " + n + " " + w + d),
                words.map(w -> "# Subtest: " + w),
                words.map(w -> "Bail out! " + w),
                words.map(w -> "# " + w),
                junk);
        Arbitrary<String> line = Combinators.combine(
                Arbitraries.strings().withChars(" \t").ofMaxLength(10),
                Arbitraries.of("", "", "[    1.234567] ", "[   12.000001][    T1] ", "L2|"),
                body,
                Arbitraries.of("\n", "\n", "\r\n", "\r", "\r\r\n"))
                .as((indent, prefix, b, end) -> prefix + indent + b + end);
        return line.list().ofMaxSize(40).map(lines -> String.join("", lines));
    }

    @Property(tries = Fuzz.TRIES)
    void any_ktap_shaped_text_parses_without_an_exception(@ForAll("ktapText") String text) throws Throwable {
        check(text);
    }

    @Provide
    Arbitrary<String> mutatedSamples() throws IOException {
        List<List<String>> samples = new ArrayList<>();
        for (String name : List.of("ktap-spec-example.ktap", "kunit-boot-nested.log", "kselftest-tap13.log",
                "kunit-crash-in-the-middle.log", "kunit-tap14-tabs.log", "bail-out.tap", "directives.tap",
                "plan-mismatch.tap")) {
            samples.add(Files.readAllLines(Samples.path(name), StandardCharsets.UTF_8));
        }
        record Edit(int kind, int at, String text) { }
        Arbitrary<Edit> edit = Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.integers(),
                Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(8), Arbitraries.of("1..999999999", "  ", "\t")))
                .as(Edit::new);
        return Combinators.combine(Arbitraries.of(samples), edit.list().ofMaxSize(6)).as((sample, edits) -> {
            List<String> lines = new ArrayList<>(sample);
            for (Edit e : edits) {
                if (lines.isEmpty()) {
                    break;
                }
                int i = Math.floorMod(e.at(), lines.size());
                String l = lines.get(i);
                switch (e.kind()) {
                    case 0 -> lines.remove(i);
                    case 1 -> lines.add(i, l);
                    case 2 -> lines.set(i, l.substring(0, Math.floorMod(e.at(), l.length() + 1)));
                    case 3 -> lines.set(i, e.text() + l);
                    default -> lines.add(i, e.text());
                }
            }
            return String.join("\n", lines);
        });
    }

    @Property(tries = Fuzz.TRIES / 2)
    void mutated_sample_logs_parse_without_an_exception(@ForAll("mutatedSamples") String text) throws Throwable {
        check(text);
    }

    private static void check(String text) throws Throwable {
        List<KtapDocument> all = Fuzz.within(() -> {
            PARSER.parse(text);
            return PARSER.parseAll(text);
        });
        Statistics.label("documents").collect(all.isEmpty() ? "none" : all.size() == 1 ? "one" : "several");
        for (KtapDocument d : all) {
            d.problems().forEach(p -> assertThat(p.message()).isNotBlank());
            assertMissingBounded(d.results());
        }
    }

    /** However large the plan, a block holds at most MAX_MISSING_RESULTS placeholders. */
    private static void assertMissingBounded(List<KtapResult> results) {
        assertThat(results.stream().filter(r -> r.status() == KtapStatus.MISSING).count())
                .isLessThanOrEqualTo(KtapParser.MAX_MISSING_RESULTS + results.size() / 2 + 1L);
        results.forEach(r -> assertMissingBounded(r.children()));
    }
}
