package dev.vela.generate;

import dev.vela.TestData;
import dev.vela.model.Model;
import dev.vela.tensor.Parallel;
import dev.vela.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Perplexity on testdata/perplexity/story.txt against llama-perplexity's numbers (expected.tsv). */
class PerplexityTest {
    @Test
    void reproducesLlamaPerplexity() throws Exception {
        String text = Files.readString(TestData.file("testdata/perplexity/story.txt"));
        List<String> rows = Files.readAllLines(TestData.file("testdata/perplexity/expected.tsv"));
        assertEquals("model\tcontext\tPPL", rows.getFirst());
        List<String> bad = new ArrayList<>();
        try (Parallel pool = new Parallel(2)) {
            for (String row : rows.subList(1, rows.size())) {
                String[] f = row.split("\t");
                int context = Integer.parseInt(f[1]);
                double expected = Double.parseDouble(f[2]);
                try (Model model = Model.load(TestData.model(f[0]))) {
                    Tokenizer tok = Tokenizer.from(model.file().metadata());
                    double ppl = Perplexity.compute(model.newTransformer(pool, context), tok.encode(text, true, false), context,
                            tok.vocabulary().bos(), null);
                    // 0.1% for float weights, 1% for quantized ones (shared README).
                    double tol = f[0].contains("Q") ? 0.01 : 0.001;
                    if (!(Math.abs(ppl - expected) <= tol * expected)) {
                        bad.add(f[0] + ": " + ppl + " vs " + expected);
                    }
                }
            }
        }
        assertTrue(bad.isEmpty(), bad.toString());
    }

    /** One window by hand: uniform logits over a vocabulary of V give perplexity V. */
    @Test
    void uniformLogitsGivePerplexityOfVocabularySize() {
        float[] logits = new float[50];
        assertEquals(Math.log(50), Perplexity.negativeLogLikelihood(logits, 7), 1e-12);
        logits[3] = 1000f;
        assertEquals(0, Perplexity.negativeLogLikelihood(logits, 3), 1e-9);
    }
}
