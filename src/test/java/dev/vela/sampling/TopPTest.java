package dev.vela.sampling;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static dev.vela.sampling.Fixtures.assertIds;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopPTest {
    // Ranked probabilities 0.40 (id 1), 0.30 (id 2), 0.15 (id 3), 0.10 (id 0), 0.05 (id 4);
    // running sums 0.40, 0.70, 0.85, 0.95, 1.00.

    @Test
    void keepsTheSmallestSetReachingP() {
        Candidates c = Fixtures.fiveTokens();
        TopP.apply(c, 0.9f);
        assertIds(c, 1, 2, 3, 0);
        assertTrue(c.sorted);
    }

    @Test
    void smallerPKeepsFewer() {
        Candidates c = Fixtures.fiveTokens();
        TopP.apply(c, 0.5f);
        assertIds(c, 1, 2);
    }

    @Test
    void alwaysKeepsAtLeastOne() {
        Candidates c = Fixtures.fiveTokens();
        TopP.apply(c, 0.01f);
        assertIds(c, 1);
    }

    @Test
    void oneIsOff() {
        Candidates c = Fixtures.fiveTokens();
        TopP.apply(c, 1f);
        assertIds(c, 0, 1, 2, 3, 4);
    }

    @Test
    void probabilitiesAreOverTheRemainingCandidates() {
        // After top-k 3 the survivors are 0.40, 0.30, 0.15 of 0.85: renormalized 0.47, 0.35, 0.18.
        Candidates c = Fixtures.fiveTokens();
        TopK.apply(c, 3);
        TopP.apply(c, 0.8f);
        assertIds(c, 1, 2);
        c = Fixtures.fiveTokens();
        TopK.apply(c, 3);
        TopP.apply(c, 0.85f);
        assertIds(c, 1, 2, 3);
    }

    @Test
    void largeVocabulariesMatchAFullSort() {
        Random random = new Random(11);
        // A sharp distribution (nucleus well inside the first guess) and a flat one (far beyond it).
        for (double spread : new double[] {4.0, 0.05}) {
            float[] logits = new float[20_000];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (random.nextGaussian() * spread);
            }
            int[] expected = reference(logits, 0.9);
            Candidates c = Candidates.of(logits);
            TopP.apply(c, 0.9f);
            assertArrayEquals(expected, Arrays.copyOf(c.ids, c.size), "spread " + spread);
            // Both paths run: answered from the first guess, and falling back to ranking everything.
            assertTrue(spread > 1 ? c.size < TopP.FIRST_GUESS : c.size > TopP.FIRST_GUESS, "kept " + c.size);
        }
    }

    private static int[] reference(float[] logits, double p) {
        int[] ranked = Fixtures.rankedIds(logits);
        double max = logits[ranked[0]];
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double cumulative = 0;
        for (int i = 0; i < ranked.length; i++) {
            cumulative += Math.exp(logits[ranked[i]] - max) / sum;
            if (cumulative >= p) {
                return Arrays.copyOf(ranked, i + 1);
            }
        }
        return ranked;
    }
}
