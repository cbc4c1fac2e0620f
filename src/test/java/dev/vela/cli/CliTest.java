package dev.vela.cli;

import dev.vela.Main;
import dev.vela.TestData;
import org.junit.jupiter.api.Test;

import dev.vela.gguf.GGUFFile;
import dev.vela.gguf.GGUFWriter;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line run in-process through {@link Main#run}, as the jar runs it. */
class CliTest {
    record Result(int exit, String out, String err) {}

    static Result vela(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String stories() {
        return TestData.model("stories260K.gguf").toString();
    }

    @Test
    void greedyGenerationPrintsPromptThenTextThenSpeeds() {
        Result r = vela("--model", stories(), "--prompt", "Once upon a time", "-n", "20", "--temperature", "0");
        assertEquals(0, r.exit(), r.err());
        // llama.cpp's first greedy tokens after this prompt (testdata/generate) decode to this text.
        assertTrue(r.out().startsWith("Once upon a time, there was a little girl named Lily."), r.out());
        assertTrue(r.err().matches("(?s).*prompt: +5 tokens in .* tokens/s\\).*generation: +20 tokens in .* tokens/s\\).*"), r.err());
    }

    @Test
    void sameSeedSameText() {
        String[] args = {"--model", stories(), "--prompt", "Lily", "-n", "30", "--seed", "1234", "--temp", "1.0", "--no-display-prompt"};
        Result a = vela(args);
        Result b = vela(args);
        assertEquals(0, a.exit(), a.err());
        assertEquals(a.out(), b.out());
        Result c = vela("--model", stories(), "--prompt", "Lily", "-n", "30", "--seed", "99", "--temp", "1.0", "--no-display-prompt");
        assertNotEquals(a.out(), c.out());
    }

    /**
     * stories260K never writes its end-of-sequence token (its stories are separated by BOS), so a
     * copy declares token 286 as EOS: llama.cpp's greedy continuation of this prompt is 432 383 286.
     */
    @Test
    void stopsAtEndOfSequenceUnlessIgnored(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("eos286.gguf");
        try (GGUFFile f = GGUFFile.open(Path.of(stories()))) {
            GGUFWriter.copyOf(f).putUInt32("tokenizer.ggml.eos_token_id", 286).write(model);
        }
        Result full = vela("--model", stories(), "--prompt", "Once upon a time", "-n", "3", "--temp", "0");
        Result r = vela("--model", model.toString(), "--prompt", "Once upon a time", "-n", "50", "--temp", "0");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("generation:     3 tokens"), r.err());
        String twoTokens = r.out().strip();
        assertTrue(twoTokens.length() > "Once upon a time".length() && full.out().startsWith(twoTokens)
                && full.out().strip().length() > twoTokens.length(), twoTokens + " / " + full.out());
        Result ignoring = vela("--model", model.toString(), "--prompt", "Once upon a time", "-n", "50", "--temp", "0", "--ignore-eos");
        assertTrue(ignoring.err().contains("generation:    50 tokens"), ignoring.err());
    }

    @Test
    void contextFullIsReported() {
        Result r = vela("--model", stories(), "--prompt", "Once upon a time", "-n", "-1", "--temp", "0", "--context", "32", "--ignore-eos");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("context full: 32 tokens"), r.err());
    }

    @Test
    void tokenizePrintsIdsWithoutBosUnlessAsked() {
        Result r = vela("tokenize", "--model", stories(), "Once upon a time");
        assertEquals(0, r.exit(), r.err());
        assertEquals("403 407 261 378", r.out().strip());
        assertEquals("1 403 407 261 378", vela("tokenize", "--model", stories(), "--bos", "Once upon a time").out().strip());
    }

    @Test
    void badOptionsAreOneLineErrors() {
        assertError("error: unknown option --tempp (see --help)", "--model", stories(), "--tempp", "1");
        assertError("error: --temperature expects a number, got 'hot'", "--model", stories(), "--temperature", "hot");
        assertError("error: --top-p must be between 1.4E-45 and 1.0, got 2", "--model", stories(), "--top-p", "2");
        assertError("error: option -n needs a value: -n, --n-predict N", "--model", stories(), "-n");
        assertError("error: --threads must be between 1 and 1024, got 0", "--model", stories(), "--threads", "0", "-p", "x");
        assertError("error: no model given: use --model FILE.gguf or --hf OWNER/REPO[:QUANT] (see --help)", "--prompt", "hi");
        assertError("error: unknown command 'chatt'; commands: generate, info, tokenize, bench, perplexity, pull (see --help)", "chatt");
    }

    private static void assertError(String expected, String... args) {
        Result r = vela(args);
        assertEquals(1, r.exit(), r.out());
        assertEquals(expected, r.err().strip());
    }

    @Test
    void benchKernelsPrintsOneLinePerType() {
        Result r = vela("bench", "--kernels", "--type", "q8_0,Q4_0", "--rows", "64", "--cols", "64", "-t", "2");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        assertTrue(lines.get(0).matches("Q8_0 +64x64 +8\\.50 bits/w .* cache +[0-9.]+ GB/s .* memory +[0-9.]+ GB/s .*"), lines.get(0));
        assertTrue(lines.get(1).startsWith("Q4_0   64x64   4.50 bits/w"), lines.get(1));
        assertError("error: unknown type 'Q9_9'; types: " + dev.vela.tensor.GGMLType.supportedNames(), "bench", "--kernels", "--type", "Q9_9");
        assertError("error: --cols 48 is not a multiple of Q8_0's block size 32", "bench", "--kernels", "--type", "Q8_0", "--cols", "48");
    }

    /** Two rounds in this JVM: the summary's medians and shares, recomputed from the rounds' printed lines. */
    @Test
    void benchKernelsRoundsSummarizeTheirLines() {
        Result r = vela("bench", "--kernels", "--type", "Q4_0,Q8_0", "--rows", "64", "--cols", "64", "-t", "1", "-r", "2", "--in-process");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(7, lines.size(), r.out());
        assertEquals("summary of 2 rounds: median (lowest-highest)", lines.get(4));
        double[][] memory = new double[2][2]; // [round][Q4_0, Q8_0]
        for (int i = 0; i < 4; i++) {
            assertTrue(lines.get(i).startsWith(i % 2 == 0 ? "Q4_0 " : "Q8_0 "), lines.get(i));
            memory[i / 2][i % 2] = figure(lines.get(i), "memory");
        }
        // Every printed figure is rounded to 0.1 GB/s: the mean of two is off by up to 0.05, its print by 0.05 more.
        assertEquals((memory[0][0] + memory[1][0]) / 2, figure(lines.get(5), "memory"), 0.101, lines.get(5));
        assertEquals((memory[0][1] + memory[1][1]) / 2, figure(lines.get(6), "memory"), 0.101, lines.get(6));
        double low = 0, high = 0;
        for (double[] round : memory) {
            low += 100 * (round[1] - 0.05) / (round[0] + 0.05) / 2;
            high += 100 * (round[1] + 0.05) / (round[0] - 0.05) / 2;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(".*vs Q4_0 in the same round +([0-9]+)% .*").matcher(lines.get(6));
        assertTrue(m.matches(), lines.get(6));
        int share = Integer.parseInt(m.group(1));
        assertTrue(share >= low - 0.5 && share <= high + 0.5, share + "% outside " + low + "-" + high + "%: " + lines.get(6));
        assertTrue(!lines.get(5).contains("vs Q4_0"), lines.get(5));
    }

    /** The GB/s after {@code name} in a line of {@code bench --kernels}. */
    private static double figure(String line, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(".*" + name + " +([0-9.]+) GB/s.*").matcher(line);
        assertTrue(m.matches(), line);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void helpForEachCommand() {
        for (String command : new String[] {"generate", "info", "tokenize", "bench"}) {
            Result r = vela(command, "--help");
            assertEquals(0, r.exit());
            assertTrue(r.out().contains("usage: java -jar vela.jar " + (command.equals("generate") ? "[generate]" : command)), r.out());
        }
    }
}
