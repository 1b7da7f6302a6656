package dev.linuxvm.lab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * After level 1's own kernel failed, the lab's second attempt runs only the scenarios the first
 * did not pass, and one KTAP document reports both: this reads the scenarios' order and their
 * result blocks from a level-1 transcript and merges two attempts.
 *
 * <p>{@link LabScenarios#runAll} prints {@code # scenarios: a,b,c} after the plan, and for each
 * scenario {@code # <id>: <ms> ms}, its diagnostics ({@code # …}) and its result line; that is a
 * scenario's block. Everything else in the transcript (level-2 lines, level 1's kernel) is left
 * out of the merge: the transcripts keep it.
 */
final class LabRetry {
    static final String ORDER_PREFIX = "# scenarios: ";
    private static final Pattern RESULT = Pattern.compile("^(ok|not ok) \\d+ (.*)$");
    private static final Pattern BLOCK_START = Pattern.compile("^# (\\S+): \\d+ ms$");

    private LabRetry() {
    }

    /** The ids of every scenario of the run in order, or an empty list when the transcript has none. */
    static List<String> order(String transcript) {
        return transcript.lines().filter(l -> l.startsWith(ORDER_PREFIX)).findFirst()
                .map(l -> List.of(l.substring(ORDER_PREFIX.length()).trim().split(",")))
                .orElse(List.of());
    }

    /** Each finished scenario's block (its timing line, diagnostics and result line), by id. */
    static Map<String, List<String>> blocks(String transcript, List<String> order) {
        Map<String, List<String>> blocks = new LinkedHashMap<>();
        List<String> current = null;
        String id = null;
        for (String line : transcript.lines().toList()) {
            Matcher start = BLOCK_START.matcher(line);
            if (start.matches() && order.contains(start.group(1))) {
                id = start.group(1);
                current = new ArrayList<>();
                current.add(line);
            } else if (current != null && RESULT.matcher(line).matches()) {
                current.add(line);
                blocks.put(id, current);
                current = null;
            } else if (current != null && line.startsWith("#")) {
                current.add(line);
            }
        }
        return blocks;
    }

    static boolean passed(List<String> block) {
        return block.get(block.size() - 1).startsWith("ok ");
    }

    /** The scenarios of {@code order} that have no passed block in {@code first}, in order. */
    static List<String> remaining(List<String> order, Map<String, List<String>> first) {
        return order.stream().filter(id -> !first.containsKey(id) || !passed(first.get(id))).toList();
    }

    /**
     * One KTAP document for the whole run: for each scenario of {@code order}, its block from
     * {@code second} when it ran there, else from {@code first}, renumbered; a scenario in
     * neither has no result, which the parser reports as missing.
     */
    static String merge(List<String> order, Map<String, List<String>> first, Map<String, List<String>> second) {
        StringBuilder s = new StringBuilder("KTAP version 1\n1..").append(order.size()).append('\n');
        s.append("# results of the first attempt for the scenarios it passed, of the second for the others\n");
        int n = 0;
        for (String id : order) {
            n++;
            List<String> block = second.containsKey(id) ? second.get(id) : first.get(id);
            if (block == null) {
                continue;
            }
            if (!second.containsKey(id)) {
                s.append("# ").append(id).append(": passed in the first attempt\n");
            }
            for (int i = 0; i < block.size() - 1; i++) {
                s.append(block.get(i)).append('\n');
            }
            Matcher m = RESULT.matcher(block.get(block.size() - 1));
            if (!m.matches()) {
                throw new IllegalStateException("not a result line: " + block.get(block.size() - 1));
            }
            s.append(m.group(1)).append(' ').append(n).append(' ').append(m.group(2)).append('\n');
        }
        return s.toString();
    }
}
