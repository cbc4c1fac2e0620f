package dev.vela.sampling;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static dev.vela.sampling.Fixtures.assertIds;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopKTest {
    @Test
    void keepsTheKHighestInRankOrder() {
        Candidates c = Candidates.of(1f, 3f, 2f, 0.5f, 3f);
        TopK.apply(c, 2);
        assertIds(c, 1, 4);
        assertArrayEquals(new float[] {3f, 3f}, Arrays.copyOf(c.logits, 2));
        assertTrue(c.sorted);
    }

    @Test
    void tiesAtTheCutGoToTheLowerId() {
        Candidates c = Candidates.of(1f, 3f, 2f, 0.5f, 2f);
        TopK.apply(c, 2);
        assertIds(c, 1, 2);
    }

    @Test
    void zeroOrAtLeastTheVocabularyKeepsEverything() {
        for (int k : new int[] {0, 5, 6}) {
            Candidates c = Candidates.of(1f, 3f, 2f, 0.5f, 3f);
            TopK.apply(c, k);
            assertIds(c, 0, 1, 2, 3, 4);
            assertFalse(c.sorted);
        }
    }

    @Test
    void onSortedCandidatesTruncates() {
        Candidates c = Candidates.of(1f, 3f, 2f, 0.5f, 3f);
        TopK.apply(c, 4);
        TopK.apply(c, 3);
        assertIds(c, 1, 4, 2);
    }

    @Test
    void matchesAFullSortOnALargeVocabulary() {
        Random random = new Random(7);
        float[] logits = new float[150_000];
        for (int i = 0; i < logits.length; i++) {
            // Coarse values make many ties, including at the cut.
            logits[i] = Math.round(random.nextGaussian() * 40) / 10f;
        }
        int[] expected = Fixtures.rankedIds(logits);
        for (int k : new int[] {1, 40, 1000}) {
            Candidates c = Candidates.of(logits);
            TopK.apply(c, k);
            assertEquals(k, c.size);
            assertArrayEquals(Arrays.copyOf(expected, k), Arrays.copyOf(c.ids, k), "k=" + k);
        }
    }
}
