package dev.vela.hub;

import dev.vela.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --hf} and {@code pull} through the packaged jar, against a local hub on 127.0.0.1. */
class HubCommandLineIT {
    @TempDir
    Path cache;

    record Result(int exit, String out, String err) {}

    Result vela(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "vela.jar").toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("out", ".txt");
        Path err = Files.createTempFile("err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("VELA_CACHE", cache.toString());
        pb.environment().remove("HF_TOKEN");
        pb.environment().remove("HF_ENDPOINT");
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void hfDownloadsOnceThenRunsFromTheCache() throws Exception {
        byte[] model = Files.readAllBytes(TestData.model("stories260K.gguf"));
        String endpoint;
        try (FakeHub hub = new FakeHub()) {
            hub.add("stories260K-Q8_0.gguf", model).add("stories260K-Q4_K_M.gguf", model);
            endpoint = hub.endpoint().toString();
            Result r = vela("--hf", "test/tiny:q8_0", "--hf-endpoint", endpoint, "--prompt", "Once upon a time", "-n", "12", "--temp", "0");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("Once upon a time, there was a little girl"), r.out());
            assertTrue(Files.exists(cache.resolve("test/tiny/stories260K-Q8_0.gguf")));
            Result pulled = vela("pull", "test/tiny:Q4_K_M", "--hf-endpoint", endpoint);
            assertEquals(0, pulled.exit(), pulled.err());
            assertEquals(cache.resolve("test/tiny/stories260K-Q4_K_M.gguf").toString(), pulled.out().strip());
        }
        // The hub is gone: the cached file is enough.
        Result offline = vela("--hf", "test/tiny:Q8_0", "--hf-endpoint", endpoint, "--prompt", "Once upon a time", "-n", "4", "--temp", "0");
        assertEquals(0, offline.exit(), offline.err());
        assertTrue(offline.out().startsWith("Once upon a time,"), offline.out());
        Result missing = vela("--hf", "test/other", "--hf-endpoint", endpoint, "--prompt", "x");
        assertEquals(1, missing.exit());
        String last = missing.err().strip().substring(missing.err().strip().lastIndexOf('\n') + 1);
        assertTrue(last.startsWith("error: "), missing.err());
        assertTrue(!missing.err().contains("\tat "), missing.err());
    }
}
