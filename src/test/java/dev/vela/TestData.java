package dev.vela;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared test data lives: {@code $VELA_TESTDATA} (CI sets it to ../shared).
 * A test that needs a file calls {@link #file}: without the data it is skipped with a message,
 * unless {@code VELA_REQUIRE_TESTDATA=1}, where a missing file fails the test loudly.
 */
public final class TestData {
    private TestData() {}

    public static boolean required() {
        return "1".equals(System.getenv("VELA_REQUIRE_TESTDATA"));
    }

    /** The root of the shared data, or a skip/failure if it is not there. */
    public static Path root() {
        String dir = System.getenv("VELA_TESTDATA");
        if (dir == null || dir.isBlank()) {
            if (required()) {
                throw new AssertionError("VELA_REQUIRE_TESTDATA=1 but VELA_TESTDATA is not set");
            }
            Assumptions.abort("VELA_TESTDATA is not set: skipping a test that needs ../shared");
        }
        Path root = Path.of(dir);
        if (!Files.isDirectory(root)) {
            if (required()) {
                throw new AssertionError("VELA_TESTDATA=" + dir + " is not a directory");
            }
            Assumptions.abort("VELA_TESTDATA=" + dir + " is not a directory: skipping");
        }
        return root;
    }

    /** A file under the shared data, e.g. {@code file("models/stories260K.gguf")}. */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            if (required()) {
                throw new AssertionError("shared test data is missing: " + p);
            }
            Assumptions.abort("shared test data is missing: " + p + ": skipping");
        }
        return p;
    }

    public static Path model(String name) {
        return file("models/" + name);
    }
}
