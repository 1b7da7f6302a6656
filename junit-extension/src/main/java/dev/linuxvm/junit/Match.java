package dev.linuxvm.junit;

import java.util.List;

/**
 * One successful {@link SerialConsole#expect} match.
 *
 * @param before   console text between the previous consumed position and the match
 * @param text     the matched text
 * @param groups   the capture groups (index 0 is {@code text}); a String expectation has only group 0
 * @param position absolute character offset of the match in the console output
 */
public record Match(String before, String text, List<String> groups, long position) {
    public Match {
        groups = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(groups));
    }

    /** Capture group {@code n}; null when it did not participate. */
    public String group(int n) {
        return groups.get(n);
    }
}
