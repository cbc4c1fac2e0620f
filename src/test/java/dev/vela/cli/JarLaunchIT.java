package dev.vela.cli;

import dev.vela.TestData;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the packaged {@code target/vela.jar} as a user types it: {@code java -jar target/vela.jar ...},
 * with no {@code --add-modules}; the launcher must bring in the Vector API by itself.
 */
class JarLaunchIT {
    record Result(int exit, String out, String err) {}

    static Result vela(String... args) throws IOException, InterruptedException {
        Path jar = Path.of("target", "vela.jar");
        assertTrue(Files.exists(jar), "target/vela.jar must exist (run mvn verify)");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("vela-out", ".txt");
        Path err = Files.createTempFile("vela-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "vela " + String.join(" ", args) + " did not finish");
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void versionShowsTheVectorApiWithoutAddModules() throws Exception {
        Result r = vela("--version");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s)vela \\S+ \\(Java 25.*Vector API \\d+-bit.*"), r.out());
    }

    /** An older JVM (when this machine has one) gets one line saying what Vela needs, not a class version error. */
    @Test
    void olderJavaIsToldWhatVelaNeeds() throws Exception {
        Path old = null;
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (var dirs = Files.list(jvms)) {
                old = dirs.map(d -> d.resolve("bin/java")).filter(Files::isExecutable)
                        .filter(j -> j.toString().matches(".*(java-1[0-9]|jdk-?1[0-9]|-1[0-9]-).*")).findFirst().orElse(null);
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(old != null, "no Java older than 25 on this machine: skipping");
        Process p = new ProcessBuilder(old.toString(), "-jar", "target/vela.jar", "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.startsWith("error: Vela needs Java 25 or newer, but this is Java 1"), out);
    }

    @Test
    void helpListsOptionsAndCommands() throws Exception {
        Result r = vela("--help");
        assertEquals(0, r.exit(), r.err());
        for (String s : List.of("--model", "--prompt", "--temperature", "--top-k", "--top-p", "--min-p", "--repeat-penalty",
                "--seed", "--threads", "--context", "-n", "info", "tokenize")) {
            assertTrue(r.out().contains(s), "help mentions " + s);
        }
    }

    @Test
    void badFlagIsOneLineAndNonZeroExit() throws Exception {
        Result r = vela("--model", "x.gguf", "--bogus");
        assertEquals(1, r.exit());
        assertEquals("error: unknown option --bogus (see --help)", lastLine(r.err()));
        r = vela("--model", "x.gguf", "--top-k", "many");
        assertEquals(1, r.exit());
        assertEquals("error: --top-k expects a whole number, got 'many'", lastLine(r.err()));
    }

    @Test
    void missingModelIsOneLine() throws Exception {
        Result r = vela("--model", "no/such/model.gguf", "--prompt", "hi");
        assertEquals(1, r.exit());
        assertEquals("error: no/such/model.gguf: no such file", lastLine(r.err()));
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void infoPrintsMetadataAndTensors() throws Exception {
        Result r = vela("info", "--model", TestData.model("stories260K.gguf").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("llama.embedding_length"), r.out());
        assertTrue(r.out().contains("blk.4.ffn_down.weight"), r.out());
        assertTrue(r.out().contains("F32"), r.out());
    }

    /** The last line of stderr, skipping the JVM's note that an incubator module is in use. */
    static String lastLine(String err) {
        String[] lines = err.strip().split("\n");
        return lines[lines.length - 1];
    }
}
