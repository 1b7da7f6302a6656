package dev.linuxvm.junit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.MediaType;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Attaches a finished guest's report files to its test with {@link ExtensionContext#publishFile}
 * (JUnit 5.12+): {@code console.log}, {@code summary.properties} and every generated firmware
 * file, so IDEs and the Open Test Reporting XML list them next to the test. JUnit copies nothing
 * itself: each file is copied into the test's output directory
 * ({@code junit.platform.reporting.output.dir}). The report directory stays where it is.
 */
final class ReportAttachments {
    private ReportAttachments() {
    }

    /** Publishes every regular file of {@code reportDir}, by name; nothing when it does not exist. */
    static void publish(ExtensionContext context, Path reportDir) {
        for (Path file : files(reportDir)) {
            try {
                // REPLACE_EXISTING: the output directory outlives the run (it is not cleaned like the report directory)
                context.publishFile(file.getFileName().toString(), mediaType(file),
                        target -> Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING));
            } catch (RuntimeException e) {
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                throw new IllegalStateException("cannot attach " + file + " to " + context.getDisplayName() + ": "
                        + e.getMessage() + (root == e ? "" : ": " + root), e);
            }
        }
    }

    static List<Path> files(Path reportDir) {
        if (!Files.isDirectory(reportDir)) {
            return List.of();
        }
        try (Stream<Path> listing = Files.list(reportDir)) {
            return listing.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the report directory " + reportDir, e);
        }
    }

    /** Text for the log, the summary and e820.txt; the tables, DTB and zero page are binary. */
    static MediaType mediaType(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".log") || name.endsWith(".txt") || name.endsWith(".properties")
                ? MediaType.TEXT_PLAIN_UTF_8 : MediaType.APPLICATION_OCTET_STREAM;
    }
}
