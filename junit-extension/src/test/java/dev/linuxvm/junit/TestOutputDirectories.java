package dev.linuxvm.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.engine.OutputDirectoryCreator;
import org.junit.platform.engine.TestDescriptor;

/**
 * Where {@code publishFile} puts files under the EngineTestKit (which has no output directory
 * by default): one directory per test under {@code root}, named after its unique id.
 */
final class TestOutputDirectories implements OutputDirectoryCreator {
    private final Path root;

    TestOutputDirectories(Path root) {
        this.root = root;
    }

    @Override
    public Path getRootDirectory() {
        return root;
    }

    @Override
    public Path createOutputDirectory(TestDescriptor descriptor) throws IOException {
        return Files.createDirectories(root.resolve(GuestSession.safeFileName(descriptor.getUniqueId().toString())));
    }
}
