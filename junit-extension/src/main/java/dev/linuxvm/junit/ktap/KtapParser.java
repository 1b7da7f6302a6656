package dev.linuxvm.junit.ktap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Reads KTAP version 1 (Documentation/dev-tools/ktap.rst) and the TAP 13/14 that kselftest and
 * older KUnit print, out of a console transcript or a file.
 *
 * <p>What it tolerates, because a serial console mixes it in:
 * <ul>
 *   <li>a printk timestamp before any line ({@code [    1.234567] }, also with the
 *       {@code CONFIG_PRINTK_CALLER} field {@code [    T1]}), and CR characters anywhere;
 *   <li>lines that start with an ignored prefix: {@link #LAB_PREFIX} by default, more with
 *       {@link #ignoringLinesStartingWith}; they are dropped before parsing, as if never printed;
 *   <li>anything before the first version line (the boot log) and any other line between results:
 *       such "unknown lines" (ktap.rst) become diagnostics of the next result, like {@code #} lines.
 * </ul>
 *
 * <p>Nesting follows indentation, whatever its width (KTAP indents two spaces per level, KUnit
 * before 6.x four spaces or a tab): a version line, a {@code # Subtest: name} header or a result
 * line indented deeper than the current block opens a subtest block; the first result line back
 * at the parent's indentation closes it and names the suite.
 *
 * <p>Incomplete output is never silent. A plan {@code 1..N} whose results did not all appear
 * (the producer crashed, bailed out or the guest rebooted) gets one {@link KtapStatus#MISSING}
 * result per absent number (for at most 1000 numbers per plan: the plan line is input too), and
 * the document a {@link KtapProblem.Kind#MISSING_RESULTS} problem naming the suite, the numbers
 * and where the output went instead. A subtest block that is not closed by its result line
 * becomes a {@code MISSING} suite that keeps the subtests it printed.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class KtapParser {
    /** Prefix of the non-KTAP lines the KVM lab's nested guest prints; ignored by default. */
    public static final String LAB_PREFIX = "L2|";

    /** Diagnostic lines quoted in a {@link KtapProblem.Kind#NO_KTAP} message. */
    static final int QUOTED_LINES = 5;
    /** Missing test numbers listed one by one in a problem message; more are shown as ranges. */
    static final int QUOTED_NUMBERS = 20;
    /**
     * At most this many {@link KtapStatus#MISSING} results per plan: the plan line comes from the
     * input, and "1..999999999" must not make a billion results. The problem still counts them all.
     */
    static final int MAX_MISSING_RESULTS = 1000;

    // The input is split into lines at CR and LF only, so '.' below must match every other character
    // (DOTALL): without it, U+0085 or U+2028 inside a line stopped '.*' and the matcher backtracked
    // quadratically over the whitespace before it.
    // ktap.rst, "Version lines": "KTAP version 1", "TAP version 13", "TAP version 14".
    private static final Pattern VERSION = Pattern.compile("(K?TAP) version (\\d{1,9})");
    // ktap.rst, "Plan lines": "1..N"; TAP 13 allows "1..0 # SKIP reason".
    private static final Pattern PLAN = Pattern.compile("1\\.\\.(\\d{1,9})(?:\\s*#.*)?", Pattern.DOTALL);
    // ktap.rst: "<result> <number> [<description>][ # [<directive>] [<diagnostic data>]]";
    // TAP makes the number optional and allows "- " before the description.
    private static final Pattern RESULT = Pattern.compile("(not ok|ok)(?=\\s|$)(?:\\s+(\\d{1,9}))?(?:\\s+-(?=\\s|$))?\\s*(.*)",
            Pattern.DOTALL);
    // ktap.rst lists SKIP, TODO, XFAIL, TIMEOUT, ERROR; TAP 13/14 match them case-insensitively.
    private static final Pattern DIRECTIVE = Pattern.compile("(?i)(skip(?:ped)?|todo|xfail|timeout|error)\\b:?\\s*(.*)", Pattern.DOTALL);
    // KUnit's subtest header (ktap.rst, "Major differences": the TAP 14 "Subtest" line).
    private static final Pattern SUBTEST = Pattern.compile("# Subtest:\\s*(.*)", Pattern.DOTALL);
    // TAP 13, "Bail out!".
    private static final Pattern BAIL_OUT = Pattern.compile("Bail out!.*", Pattern.DOTALL);
    // kernel/printk/printk.c print_time() "[%5lu.%06lu] ", print_caller() "[%6s]" with T<pid> or C<cpu>.
    private static final Pattern PRINTK_PREFIX = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\](?:\\[\\s*[TC]\\d+\\])? ?");
    private static final Pattern LINE_BREAK = Pattern.compile("\r?\n|\r");
    /** Tab stops every 8 columns, as a terminal shows them. */
    private static final int TAB_WIDTH = 8;

    private final List<String> ignoredPrefixes;

    private KtapParser(List<String> ignoredPrefixes) {
        this.ignoredPrefixes = List.copyOf(ignoredPrefixes);
    }

    /** A parser that ignores the KVM lab's {@link #LAB_PREFIX} lines. */
    public static KtapParser create() {
        return new KtapParser(List.of(LAB_PREFIX));
    }

    /**
     * A parser that also drops every line starting with {@code prefix} (after any printk timestamp
     * and indentation), as if it had never been printed.
     */
    public KtapParser ignoringLinesStartingWith(String prefix) {
        if (Objects.requireNonNull(prefix, "prefix").isBlank()) {
            throw new IllegalArgumentException("an ignored line prefix must not be blank: it would ignore every line");
        }
        var prefixes = new ArrayList<>(ignoredPrefixes);
        prefixes.add(prefix);
        return new KtapParser(prefixes);
    }

    /** The prefixes of ignored lines. */
    public List<String> ignoredPrefixes() {
        return ignoredPrefixes;
    }

    /**
     * The one KTAP document in {@code text}. Never fails: without a version line the result is an
     * empty document with a {@link KtapProblem.Kind#NO_KTAP} problem; with several, the first one
     * with a {@link KtapProblem.Kind#MULTIPLE_DOCUMENTS} problem.
     */
    public KtapDocument parse(String text) {
        return parse(splitLines(text));
    }

    /** As {@link #parse(String)}, one console line per element. */
    public KtapDocument parse(List<String> lines) {
        List<KtapDocument> documents = parseAll(lines);
        if (documents.isEmpty()) {
            return new KtapDocument("", -1, List.of(), List.of(new KtapProblem(KtapProblem.Kind.NO_KTAP, noKtap(lines), 0)), 0);
        }
        KtapDocument first = documents.get(0);
        if (documents.size() == 1) {
            return first;
        }
        var problems = new ArrayList<>(first.problems());
        problems.add(new KtapProblem(KtapProblem.Kind.MULTIPLE_DOCUMENTS, "the input holds " + documents.size()
                + " KTAP documents, starting at lines " + documents.stream().map(d -> String.valueOf(d.line()))
                        .collect(Collectors.joining(", ")) + "; parse() returned the first: use parseAll()", 0));
        return new KtapDocument(first.version(), first.plan(), first.results(), problems, first.line());
    }

    /** As {@link #parse(String)}, from a file read as UTF-8 (malformed bytes become U+FFFD). */
    public KtapDocument parse(Path file) throws IOException {
        return parse(read(file));
    }

    /**
     * Every KTAP document in {@code text}, in order: each starts at a version line that is not
     * inside another document's subtest block. Empty when there is no version line at all.
     */
    public List<KtapDocument> parseAll(String text) {
        return parseAll(splitLines(text));
    }

    /** As {@link #parseAll(String)}, one console line per element. */
    public List<KtapDocument> parseAll(List<String> lines) {
        return new Run(prepare(lines), lines.size()).documents();
    }

    /** As {@link #parseAll(String)}, from a file read as UTF-8. */
    public List<KtapDocument> parseAll(Path file) throws IOException {
        return parseAll(read(file));
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    /** The lines of {@code text}; a final line break ends the last line rather than starting an empty one. */
    private static List<String> splitLines(String text) {
        List<String> lines = Arrays.asList(LINE_BREAK.split(Objects.requireNonNull(text, "text"), -1));
        return lines.size() > 1 && lines.get(lines.size() - 1).isEmpty() ? lines.subList(0, lines.size() - 1) : lines;
    }

    private static String clean(String raw) {
        return PRINTK_PREFIX.matcher(raw.replace("\r", "")).replaceFirst("").stripTrailing();
    }

    private static String noKtap(List<String> raw) {
        List<String> shown = raw.stream().map(KtapParser::clean).filter(s -> !s.isBlank()).toList();
        if (shown.isEmpty()) {
            return "no KTAP output: the input is empty";
        }
        List<String> tail = shown.subList(Math.max(0, shown.size() - QUOTED_LINES), shown.size());
        return "no 'KTAP version 1' or 'TAP version 13/14' line in " + raw.size() + " lines; the last lines were:\n"
                + tail.stream().map(s -> "    " + s).collect(Collectors.joining("\n"));
    }

    // ---- lines ---------------------------------------------------------------------------------

    private enum Kind { VERSION, PLAN, RESULT, SUBTEST, BAIL_OUT, OTHER }

    /** A console line after timestamp, CR and indentation removal; {@code number} is 1-based in the input. */
    private record Line(int number, int indent, Kind kind, String text) {}

    private List<Line> prepare(List<String> raw) {
        var lines = new ArrayList<Line>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            String s = clean(Objects.requireNonNull(raw.get(i), "line"));
            String text = s.strip();
            if (ignoredPrefixes.stream().anyMatch(text::startsWith)) {
                continue;
            }
            lines.add(new Line(i + 1, indentation(s), kind(text), text));
        }
        return lines;
    }

    private static int indentation(String s) {
        int column = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ') {
                column++;
            } else if (c == '\t') {
                column = (column / TAB_WIDTH + 1) * TAB_WIDTH;
            } else {
                break;
            }
        }
        return column;
    }

    private static Kind kind(String text) {
        if (VERSION.matcher(text).matches()) {
            return Kind.VERSION;
        } else if (PLAN.matcher(text).matches()) {
            return Kind.PLAN;
        } else if (RESULT.matcher(text).matches()) {
            return Kind.RESULT;
        } else if (SUBTEST.matcher(text).matches()) {
            return Kind.SUBTEST;
        } else if (BAIL_OUT.matcher(text).matches()) {
            return Kind.BAIL_OUT;
        }
        return Kind.OTHER;
    }

    /** The parts of a result line. {@code number} is -1 when the line has none (TAP allows that). */
    private record ResultLine(boolean ok, int number, String name, String comment) {
        static ResultLine of(String text) {
            Matcher m = RESULT.matcher(text);
            if (!m.matches()) {
                throw new IllegalStateException("not a result line: " + text);
            }
            String rest = m.group(3);
            // ktap.rst: the description "can't include #"; the directive and data follow " # ".
            int hash = rest.startsWith("#") ? 0 : rest.indexOf(" #");
            String name = (hash < 0 ? rest : rest.substring(0, hash)).strip();
            String comment = hash < 0 ? "" : rest.substring(rest.indexOf('#', hash) + 1).strip();
            return new ResultLine(m.group(1).equals("ok"), m.group(2) == null ? -1 : Integer.parseInt(m.group(2)), name, comment);
        }
    }

    // ---- structure -----------------------------------------------------------------------------

    /** A plan and results at one indentation, being collected. */
    private static final class Block {
        final int indent;
        final int startLine;
        String header = "";
        int plan = -1;
        int planLine;
        final List<KtapResult> results = new ArrayList<>();
        /** Diagnostics since the last result, waiting for the next one. */
        List<String> pending = new ArrayList<>();
        Line bailOut;

        Block(int indent, int startLine) {
            this.indent = indent;
            this.startLine = startLine;
        }

        int nextNumber() {
            return results.size() + 1;
        }

        List<String> takePending() {
            List<String> taken = pending;
            pending = new ArrayList<>();
            return taken;
        }
    }

    /** One pass over the prepared lines. */
    private static final class Run {
        private final List<Line> lines;
        private final int inputLines;
        private int pos;
        private List<KtapProblem> problems;

        Run(List<Line> lines, int inputLines) {
            this.lines = lines;
            this.inputLines = inputLines;
        }

        List<KtapDocument> documents() {
            var documents = new ArrayList<KtapDocument>();
            while (pos < lines.size()) {
                if (lines.get(pos).kind() == Kind.VERSION) {
                    documents.add(document());
                } else {
                    pos++;
                }
            }
            return documents;
        }

        private KtapDocument document() {
            problems = new ArrayList<>();
            Line version = lines.get(pos++);
            checkVersion(version);
            Block top = new Block(version.indent(), version.number());
            block(top, true);
            List<KtapResult> results = complete(top, "the document of line " + version.number());
            if (top.plan < 0 && top.results.isEmpty() && top.bailOut == null) {
                problems.add(new KtapProblem(KtapProblem.Kind.NO_RESULTS, "'" + version.text()
                        + "' is followed by neither a plan 1..N nor any result", version.number()));
            }
            return new KtapDocument(version.text(), top.plan, results, problems, version.number());
        }

        private void checkVersion(Line line) {
            Matcher m = VERSION.matcher(line.text());
            if (!m.matches()) {
                throw new IllegalStateException("not a version line: " + line.text());
            }
            int version = Integer.parseInt(m.group(2));
            boolean supported = m.group(1).equals("KTAP") ? version == 1 : version == 13 || version == 14;
            if (!supported) {
                problems.add(new KtapProblem(KtapProblem.Kind.UNSUPPORTED_VERSION, "'" + line.text()
                        + "': this parser reads KTAP version 1 and TAP version 13 and 14", line.number()));
            }
        }

        /**
         * Collects {@code b} until a line that belongs to an enclosing block (a result or version line
         * indented less, or a version line at the same indentation), a bail-out or the end.
         */
        private void block(Block b, boolean top) {
            while (pos < lines.size()) {
                Line l = lines.get(pos);
                switch (l.kind()) {
                    case VERSION -> {
                        if (l.indent() <= b.indent) {
                            return;
                        }
                        pos++;
                        checkVersion(l);
                        subtest(b, new Block(l.indent(), l.number()));
                    }
                    case SUBTEST -> {
                        pos++;
                        String name = group(SUBTEST, l.text());
                        if (l.indent() > b.indent) {
                            Block child = new Block(l.indent(), l.number());
                            child.header = name;
                            subtest(b, child);
                        } else if (l.indent() == b.indent && b.header.isEmpty() && b.results.isEmpty()) {
                            b.header = name;
                        } else {
                            b.pending.add(l.text());
                        }
                    }
                    case PLAN -> {
                        pos++;
                        if (l.indent() == b.indent && b.plan < 0) {
                            b.plan = Integer.parseInt(group(PLAN, l.text()));
                            b.planLine = l.number();
                        } else {
                            b.pending.add(l.text());
                        }
                    }
                    case RESULT -> {
                        if (l.indent() == b.indent) {
                            pos++;
                            b.results.add(result(l, b.nextNumber(), b.takePending(), List.of()));
                        } else if (l.indent() > b.indent) {
                            // A deeper result without a header: an unannounced subtest block.
                            subtest(b, new Block(l.indent(), l.number()));
                        } else if (!top) {
                            return;
                        } else {
                            pos++;
                            b.pending.add(l.text());
                        }
                    }
                    case BAIL_OUT -> {
                        pos++;
                        b.bailOut = l;
                        problems.add(new KtapProblem(KtapProblem.Kind.BAIL_OUT, "'" + l.text()
                                + "': the results not printed before it are missing", l.number()));
                        return;
                    }
                    case OTHER -> {
                        pos++;
                        if (!l.text().isEmpty()) {
                            b.pending.add(l.text());
                        }
                    }
                }
                if (b.bailOut != null) {
                    return;
                }
            }
        }

        /** Parses {@code child}, then takes the result line that closes it as the suite's own result. */
        private void subtest(Block parent, Block child) {
            List<String> before = parent.takePending();
            block(child, false);
            int expected = parent.nextNumber();
            Line next = pos < lines.size() ? lines.get(pos) : null;
            ResultLine closing = child.bailOut == null && next != null && next.kind() == Kind.RESULT
                    && next.indent() == parent.indent ? ResultLine.of(next.text()) : null;
            if (closing != null && closing.number() != -1 && closing.number() != expected) {
                closing = null;
            }
            String name = closing != null ? closing.name() : child.header;
            String where = (name.isEmpty() ? "the subtest block" : "suite '" + name + "'") + " of line " + child.startLine;
            List<KtapResult> children = complete(child, where);
            List<String> diagnostics = concat(before, child.takePending());
            if (closing != null) {
                pos++;
                parent.results.add(result(next, expected, diagnostics, children));
                return;
            }
            String why;
            if (child.bailOut != null) {
                parent.bailOut = child.bailOut;
                why = notRun(child.bailOut);
            } else {
                why = "no result line after the subtest block: " + whereOutputWent();
                problems.add(new KtapProblem(KtapProblem.Kind.MISSING_RESULTS,
                        where + " (test " + expected + ") has " + why, endLine()));
            }
            parent.results.add(new KtapResult(expected, child.header, KtapStatus.MISSING, why, diagnostics, children, "", endLine()));
        }

        /**
         * The block's results plus a {@link KtapStatus#MISSING} one for each planned number that
         * did not appear; the diagnostics after the last result (a crash's last words) go to the
         * first missing one.
         */
        private List<KtapResult> complete(Block b, String where) {
            var results = new ArrayList<>(b.results);
            if (b.plan < 0) {
                return results;
            }
            // The plan comes from the input: never walk 1..plan, which may be 999999999.
            TreeSet<Integer> seen = b.results.stream().map(KtapResult::number).filter(n -> n >= 1 && n <= b.plan)
                    .collect(Collectors.toCollection(TreeSet::new));
            long missingCount = (long) b.plan - seen.size();
            if (missingCount > 0) {
                List<Integer> missing = new ArrayList<>();
                for (int n = 1; n <= b.plan && missing.size() < MAX_MISSING_RESULTS; n++) {
                    if (!seen.contains(n)) {
                        missing.add(n);
                    }
                }
                String why = b.bailOut != null ? notRun(b.bailOut) : "no result line: " + whereOutputWent();
                if (b.bailOut == null) {
                    problems.add(new KtapProblem(KtapProblem.Kind.MISSING_RESULTS, where + ": plan 1.." + b.plan
                            + " but " + b.results.size() + " result" + (b.results.size() == 1 ? "" : "s")
                            + ", missing " + missingNumbers(seen, b.plan, missingCount) + " (" + whereOutputWent() + ")",
                            endLine()));
                }
                List<String> lastWords = b.takePending();
                for (int n : missing) {
                    results.add(new KtapResult(n, "", KtapStatus.MISSING, why, lastWords, List.of(), "", endLine()));
                    lastWords = List.of();
                }
            }
            if (b.results.size() > b.plan) {
                problems.add(new KtapProblem(KtapProblem.Kind.PLAN_MISMATCH, where + ": plan 1.." + b.plan + " but "
                        + b.results.size() + " results", b.planLine));
            }
            return results;
        }

        private KtapResult result(Line line, int expected, List<String> diagnostics, List<KtapResult> children) {
            ResultLine r = ResultLine.of(line.text());
            int number = r.number() == -1 ? expected : r.number();
            if (number != expected) {
                problems.add(new KtapProblem(KtapProblem.Kind.UNEXPECTED_NUMBER, "expected test number " + expected
                        + " but found " + number + ": '" + line.text() + "'", line.number()));
            }
            KtapStatus status = r.ok() ? KtapStatus.PASS : KtapStatus.FAIL;
            String reason = r.comment();
            Matcher d = DIRECTIVE.matcher(r.comment());
            if (d.matches()) {
                KtapStatus directive = switch (d.group(1).toLowerCase(Locale.ROOT)) {
                    case "todo" -> KtapStatus.TODO;
                    case "xfail" -> KtapStatus.XFAIL;
                    case "timeout" -> KtapStatus.TIMEOUT;
                    case "error" -> KtapStatus.ERROR;
                    default -> KtapStatus.SKIP;
                };
                // ktap.rst: an unsupported combination "should fall back to the ok / not ok result".
                if (directive.skipped() || !r.ok()) {
                    status = directive;
                    reason = d.group(2).strip();
                }
            }
            return new KtapResult(number, r.name(), status, reason, diagnostics, children, line.text(), line.number());
        }

        /** The input line at which the current block stopped: the next line, or the last line. */
        private int endLine() {
            return pos < lines.size() ? lines.get(pos).number() : inputLines;
        }

        private String whereOutputWent() {
            if (pos >= lines.size()) {
                return "the output ends after line " + inputLines;
            }
            Line l = lines.get(pos);
            return "the output moves on at line " + l.number() + ": '" + l.text() + "'";
        }

        private static String notRun(Line bailOut) {
            return "not run: '" + bailOut.text() + "' at line " + bailOut.number();
        }
    }

    private static String group(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.matches()) {
            throw new IllegalStateException(pattern + " does not match " + text);
        }
        return m.group(1);
    }

    /** "4, 5" for a few missing numbers; "4-17, 19-999999999 (999999995 numbers)" for many. */
    private static String missingNumbers(TreeSet<Integer> seen, int plan, long count) {
        List<String> parts = new ArrayList<>();
        int next = 1;
        var ends = new ArrayList<>(seen);
        ends.add(plan + 1); // plan has at most 9 digits
        for (int n : ends) {
            if (n > next) {
                if (count <= QUOTED_NUMBERS) {
                    IntStream.range(next, n).forEach(i -> parts.add(String.valueOf(i)));
                } else {
                    parts.add(n - 1 == next ? String.valueOf(next) : next + "-" + (n - 1));
                }
            }
            next = n + 1;
        }
        String list = String.join(", ", parts);
        if (count <= QUOTED_NUMBERS) {
            return list;
        }
        return list + " (" + count + " numbers" + (count > MAX_MISSING_RESULTS
                ? "; the first " + MAX_MISSING_RESULTS + " get a MISSING result" : "") + ")";
    }


    private static List<String> concat(List<String> a, List<String> b) {
        var all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
