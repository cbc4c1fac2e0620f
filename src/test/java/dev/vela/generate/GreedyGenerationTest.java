package dev.vela.generate;

import dev.vela.TestData;
import dev.vela.model.Model;
import dev.vela.sampling.Sampler;
import dev.vela.sampling.SamplerConfig;
import dev.vela.tensor.Parallel;
import dev.vela.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Greedy decoding of stories260K against llama.cpp's token ids (testdata/generate/stories260K.tsv). */
class GreedyGenerationTest {
    private static Parallel pool;

    @BeforeAll
    static void start() {
        pool = new Parallel(2);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @Test
    void everyReferenceLineMatchesExactly() throws Exception {
        List<String> lines = Files.readAllLines(TestData.file("testdata/generate/stories260K.tsv"));
        assertEquals(4, lines.size());
        try (Model model = Model.load(TestData.model("stories260K.gguf"))) {
            Tokenizer tokenizer = Tokenizer.from(model.file().metadata());
            for (String line : lines) {
                String[] f = line.split("\t");
                int n = Integer.parseInt(f[1]);
                int[] expected = Arrays.stream(f[2].trim().split(" ")).mapToInt(Integer::parseInt).toArray();
                int[] prompt = tokenizer.encode(f[0], true, false);
                Generator gen = new Generator(model.newTransformer(pool, 256),
                        new Sampler(SamplerConfig.defaults().withTemperature(0f), model.config().vocabSize()));
                gen.ingest(prompt);
                List<Integer> got = new ArrayList<>();
                Generator.Stop stop = gen.generate(n, t -> false, t -> got.add(t));
                assertEquals(Generator.Stop.LIMIT, stop);
                assertArrayEquals(expected, got.stream().mapToInt(Integer::intValue).toArray(), "prompt '" + f[0] + "'");
            }
        }
    }

    /** The cache keeps its place: two calls of generate continue exactly where one long call would be. */
    @Test
    void generationContinuesAcrossCalls() {
        try (Model model = Model.load(TestData.model("stories260K.gguf"))) {
            Tokenizer tokenizer = Tokenizer.from(model.file().metadata());
            int[] prompt = tokenizer.encode("Once upon a time", true, false);
            SamplerConfig cfg = SamplerConfig.defaults().withTemperature(0.9f).withSeed(7);
            Generator one = new Generator(model.newTransformer(pool, 128), new Sampler(cfg, model.config().vocabSize()));
            one.ingest(prompt);
            List<Integer> a = new ArrayList<>();
            one.generate(40, t -> false, t -> a.add(t));
            Generator two = new Generator(model.newTransformer(pool, 128), new Sampler(cfg, model.config().vocabSize()));
            two.ingest(prompt);
            List<Integer> b = new ArrayList<>();
            two.generate(15, t -> false, t -> b.add(t));
            two.generate(25, t -> false, t -> b.add(t));
            assertEquals(a, b);
            assertEquals(prompt.length + 40, two.position());
        }
    }

    /** A stop token ends generation, reaches the sink, and enters the cache (a chat continues after it). */
    @Test
    void stopTokenEndsGeneration() {
        try (Model model = Model.load(TestData.model("stories260K.gguf"))) {
            Tokenizer tokenizer = Tokenizer.from(model.file().metadata());
            int[] prompt = tokenizer.encode("Once upon a time", true, false);
            Generator gen = new Generator(model.newTransformer(pool, 64),
                    new Sampler(SamplerConfig.defaults().withTemperature(0f), model.config().vocabSize()));
            gen.ingest(prompt);
            List<Integer> got = new ArrayList<>();
            // llama.cpp's greedy continuation starts 432 383 286 (testdata/generate/stories260K.tsv).
            Generator.Stop stop = gen.generate(50, t -> t == 286, t -> got.add(t));
            assertEquals(Generator.Stop.STOP_TOKEN, stop);
            assertEquals(List.of(432, 383, 286), got);
            assertEquals(prompt.length + 3, gen.position());
        }
    }
}
