package dev.vela.model;

import dev.vela.TestData;
import dev.vela.tensor.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

/** The forward pass, fed one token at a time and in batches, against llama.cpp's logits, for every architecture. */
class LogitsTest {
    private static Parallel pool;

    @BeforeAll
    static void startPool() {
        pool = new Parallel(2);
    }

    @AfterAll
    static void stopPool() {
        pool.close();
    }

    static List<float[]> runOneByOne(String name, int[] ids) {
        try (Model model = Model.load(TestData.model(name + ".gguf"))) {
            Transformer t = model.newTransformer(pool, ids.length);
            List<float[]> out = new ArrayList<>();
            for (int pos = 0; pos < ids.length; pos++) {
                out.add(t.forward(ids[pos], pos).clone());
            }
            return out;
        }
    }

    /**
     * The prompt in batches: {@code forward} called on {@code chunk} tokens at a time, with a batch
     * capacity of {@code batch} (so calls are split, and the tiled kernel meets partial tiles);
     * the logits after each call must match llama.cpp's row for that position.
     */
    static List<float[]> runBatched(String name, int[] ids, int chunk, int batch, List<Integer> positions) {
        try (Model model = Model.load(TestData.model(name + ".gguf"))) {
            Transformer t = new Transformer(model.config(), model.weights(), pool, ids.length, batch, 1); // every chunk batched
            List<float[]> out = new ArrayList<>();
            for (int pos = 0; pos < ids.length; pos += chunk) {
                int n = Math.min(chunk, ids.length - pos);
                out.add(t.forward(ids, pos, n, pos).clone());
                positions.add(pos + n - 1);
            }
            return out;
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "stories260K, 1e-3",
            "kq256-F32, 1e-3",
            "tiny-llama3vocab-f32, 1e-3",
            "arch-qwen2-f32, 1e-3",
            "arch-qwen3-f32, 1e-3",
            "arch-phi3-f32, 1e-3",
            "arch-gemma2-f32, 3e-3",
            "arch-gemma3-f32, 3e-3",
    })
    void batchedPromptMatchesReference(String name, float tol) throws Exception {
        LogitsReference ref = LogitsReference.load(name);
        for (int[] shape : new int[][] {{7, 5}, {ref.ids().length, 64}, {3, 3}}) {
            List<Integer> positions = new ArrayList<>();
            List<float[]> got = runBatched(name, ref.ids(), shape[0], shape[1], positions);
            for (int i = 0; i < got.size(); i++) {
                float diff = LogitsReference.maxAbsDiff(ref.logits()[positions.get(i)], got.get(i));
                org.junit.jupiter.api.Assertions.assertTrue(diff <= tol, name + " chunk " + shape[0] + " batch " + shape[1]
                        + " position " + positions.get(i) + ": max |diff| " + diff);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "stories260K, 1e-3",
            "tiny-llama2vocab-f32, 1e-3",
            "tiny-llama3vocab-f32, 1e-3",
            "kq256-F32, 1e-3",
            "kq256-F16, 1e-2",
            "arch-qwen2-f32, 1e-3",
            "arch-qwen3-f32, 1e-3",
            "arch-phi3-f32, 1e-3",
            // llama.cpp's CPU GELU goes through an fp16 table; Vela's float GELU lands up to ~2e-3 away
            "arch-gemma2-f32, 3e-3",
            "arch-gemma3-f32, 3e-3",
    })
    void floatModelsWithinAbsoluteTolerance(String name, float tol) throws Exception {
        LogitsReference ref = LogitsReference.load(name);
        ref.assertWithinAbsolute(runOneByOne(name, ref.ids()), tol);
    }

    /** BF16 and quantized weights: 4% of each row's logit range, argmax equal at all positions but one. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kq256-BF16", "kq256-Q8_0", "kq256-Q4_0", "kq256-Q4_1", "kq256-Q5_0", "kq256-Q5_1",
            "kq256-Q2_K", "kq256-Q3_K", "kq256-Q4_K", "kq256-Q5_K", "kq256-Q6_K", "kq256-IQ4_NL", "kq256-IQ4_XS",
            "kq256-Q4_K_M", "tiny-llama2vocab-q8_0", "tiny-llama2vocab-q4_0", "arch-qwen2-q8_0", "arch-qwen3-q8_0", "arch-phi3-q8_0", "arch-gemma2-q8_0", "arch-gemma3-q8_0"})
    void quantizedWithinRangeTolerance(String name) throws Exception {
        LogitsReference ref = LogitsReference.load(name);
        ref.assertWithinRange(runOneByOne(name, ref.ids()), 0.04f, 1);
    }

    /** The batched prompt path on quantized weights: the logits after each chunk within the same tolerance. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kq256-BF16", "kq256-Q8_0", "kq256-Q4_0", "kq256-Q2_K", "kq256-Q4_K_M", "kq256-IQ4_XS",
            "tiny-llama2vocab-q4_0", "arch-gemma3-q8_0"})
    void batchedQuantizedWithinRangeTolerance(String name) throws Exception {
        LogitsReference ref = LogitsReference.load(name);
        List<Integer> positions = new ArrayList<>();
        List<float[]> got = runBatched(name, ref.ids(), 5, 4, positions);
        for (int i = 0; i < got.size(); i++) {
            ref.assertRowWithinRange(positions.get(i), got.get(i), 0.04f);
        }
    }

    /**
     * The Llama 3 miniature from text: the prompt tokenizes to llama.cpp's ids (BOS added by the
     * vocabulary), and running it gives llama.cpp's logits (tied embeddings, rope factors).
     */
    @Test
    void llama3PromptGivenAsText() throws Exception {
        LogitsReference ref = LogitsReference.load("tiny-llama3vocab-f32");
        try (Model model = Model.load(TestData.model("tiny-llama3vocab-f32.gguf"))) {
            int[] ids = dev.vela.tokenizer.Tokenizer.from(model.file().metadata())
                    .encode("Once upon a time there was a little girl named", true, false);
            org.junit.jupiter.api.Assertions.assertArrayEquals(ref.ids(), ids);
        }
        ref.assertWithinAbsolute(runOneByOne("tiny-llama3vocab-f32", ref.ids()), 1e-3f);
    }
}
