package dev.vela.sampling;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Shared inputs and brute-force references for the sampling tests. */
final class Fixtures {
    private Fixtures() {}

    /** Five tokens whose softmax is exactly these probabilities (logits are their logs). */
    static final double[] PROBS = {0.10, 0.40, 0.30, 0.15, 0.05};

    static float[] logitsOf(double... probs) {
        float[] logits = new float[probs.length];
        for (int i = 0; i < probs.length; i++) {
            logits[i] = (float) Math.log(probs[i]);
        }
        return logits;
    }

    static Candidates fiveTokens() {
        return Candidates.of(logitsOf(PROBS));
    }

    static void assertIds(Candidates c, int... expected) {
        assertArrayEquals(expected, Arrays.copyOf(c.ids, c.size));
    }

    /** All ids ranked by a full sort: higher logit first, ties by lower id. */
    static int[] rankedIds(float[] logits) {
        return IntStream.range(0, logits.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }
}
