package dev.linuxvm.junit.ktap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The sample console logs in src/test/resources/dev/linuxvm/junit/ktap. */
final class Samples {
    private Samples() {
    }

    static Path path(String name) {
        var url = Samples.class.getResource(name);
        if (url == null) {
            throw new IllegalArgumentException("no test resource dev/linuxvm/junit/ktap/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static KtapDocument parse(String name) {
        try {
            return KtapParser.create().parse(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
