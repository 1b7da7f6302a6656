package dev.linuxvm.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every Java snippet in the top-level README.md is code from these samples, so it compiles and runs. */
class ReadmeSnippetsTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyJavaSnippetIsCopiedFromACompiledSample() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> snippets = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(readme);
        while (m.find()) {
            snippets.add(normalize(m.group(1)));
        }
        String sources;
        try (Stream<Path> files = Files.list(Path.of("src/test/java/dev/linuxvm/samples"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).map(ReadmeSnippetsTest::read)
                    .map(ReadmeSnippetsTest::normalize).collect(Collectors.joining("\n"));
        }
        assertThat(snippets).hasSizeGreaterThanOrEqualTo(6)
                .allSatisfy(snippet -> assertThat(sources).as("README snippet in the samples").contains(snippet));
    }

    /** Indentation and the snippet tag comments do not count. */
    private static String normalize(String code) {
        return code.lines().map(String::strip).filter(l -> !l.matches("// (tag|end)::\\w+\\[]"))
                .collect(Collectors.joining("\n"));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
