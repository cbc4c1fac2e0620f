package dev.vela.sampling;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {
    /** Only temperature and seed matter until a test switches a filter on. */
    private static final SamplerConfig PLAIN = new SamplerConfig(1f, 0, 1f, 0f, 1f, 64, 1234);
    private static final int DRAWS = 20_000;
    // The widest binomial standard deviation here is sqrt(0.25 / 20000) = 0.0035; allow over 4 of them.
    private static final double FREQUENCY_TOLERANCE = 0.015;

    @Test
    void drawsFollowTheSoftmaxProbabilities() {
        double[] frequencies = frequencies(new Sampler(PLAIN, 5), Fixtures.logitsOf(Fixtures.PROBS));
        for (int i = 0; i < 5; i++) {
            assertEquals(Fixtures.PROBS[i], frequencies[i], FREQUENCY_TOLERANCE, "token " + i);
        }
    }

    @Test
    void drawsFollowTheDistributionLeftByTopKAndTemperature() {
        // Top-k 3 keeps 0.40, 0.30, 0.15; temperature 0.5 squares them: 0.16, 0.09, 0.0225 over 0.2725.
        Sampler sampler = new Sampler(PLAIN.withTopK(3).withTemperature(0.5f), 5);
        double[] frequencies = frequencies(sampler, Fixtures.logitsOf(Fixtures.PROBS));
        double[] expected = {0, 0.16 / 0.2725, 0.09 / 0.2725, 0.0225 / 0.2725, 0};
        for (int i = 0; i < 5; i++) {
            assertEquals(expected[i], frequencies[i], FREQUENCY_TOLERANCE, "token " + i);
        }
    }

    @Test
    void everyFilterPlaysItsPart() {
        // Top-k 4 drops id 4 (0.05). Top-p 0.8 over 0.40, 0.30, 0.15, 0.10 of 0.95 reaches 0.89 at
        // id 3 and drops id 0. Min-p 0.38 needs 0.152 of the original 0.40, dropping id 3 (0.15).
        // Temperature 0.5 on 0.40, 0.30: 0.16 and 0.09 over 0.25.
        SamplerConfig config = new SamplerConfig(0.5f, 4, 0.8f, 0.38f, 1f, 64, 99);
        double[] frequencies = frequencies(new Sampler(config, 5), Fixtures.logitsOf(Fixtures.PROBS));
        double[] expected = {0, 0.64, 0.36, 0, 0};
        for (int i = 0; i < 5; i++) {
            assertEquals(expected[i], frequencies[i], FREQUENCY_TOLERANCE, "token " + i);
        }
    }

    @Test
    void sameSeedSameTokens() {
        float[] logits = randomLogits(1000, 3);
        SamplerConfig config = SamplerConfig.defaults().withSeed(42);
        int[] first = tokens(new Sampler(config, 1000), logits, 200);
        assertArrayEquals(first, tokens(new Sampler(config, 1000), logits, 200));
        assertFalse(Arrays.equals(first, tokens(new Sampler(config.withSeed(43), 1000), logits, 200)));
    }

    @Test
    void resetRestartsTheSequence() {
        float[] logits = randomLogits(1000, 3);
        Sampler sampler = new Sampler(SamplerConfig.defaults().withSeed(42), 1000);
        int[] first = tokens(sampler, logits, 50);
        sampler.reset();
        assertArrayEquals(first, tokens(sampler, logits, 50));
    }

    @Test
    void greedyTakesTheLowestIdAmongTheHighest() {
        for (long seed : new long[] {1, 2, 3}) {
            Sampler sampler = new Sampler(PLAIN.withTemperature(0).withSeed(seed), 4);
            assertEquals(1, sampler.sample(new float[] {1f, 5f, 5f, 2f}));
        }
    }

    @Test
    void greedyStillAppliesTheRepetitionPenalty() {
        Sampler sampler = new Sampler(PLAIN.withTemperature(0).withRepeatPenalty(1.1f, 64), 3);
        assertEquals(0, sampler.sample(new float[] {5f, 4.9f, 1f}));
        sampler.accept(0);
        // 5 / 1.1 = 4.55 now loses to 4.9.
        assertEquals(1, sampler.sample(new float[] {5f, 4.9f, 1f}));
    }

    @Test
    void penaltyShiftsTheDistribution() {
        // Penalty 2 on token 1 (logit ln 0.4 < 0) doubles its negative logit: weight 0.16 instead of 0.4.
        Sampler sampler = new Sampler(PLAIN.withRepeatPenalty(2f, 64), 5);
        sampler.accept(1);
        double[] frequencies = frequencies(sampler, Fixtures.logitsOf(Fixtures.PROBS));
        double total = 1 - 0.4 + 0.16;
        assertEquals(0.16 / total, frequencies[1], FREQUENCY_TOLERANCE);
        assertEquals(0.30 / total, frequencies[2], FREQUENCY_TOLERANCE);
    }

    @Test
    void aLargeVocabularyWithDefaultsDrawsFromTheTop40() {
        int vocab = 151_936;
        float[] logits = randomLogits(vocab, 3);
        int[] top40 = Arrays.copyOf(Fixtures.rankedIds(logits), 40);
        Arrays.sort(top40);
        Sampler sampler = new Sampler(SamplerConfig.defaults().withSeed(5), vocab);
        for (int token : tokens(sampler, logits, 100)) {
            assertTrue(Arrays.binarySearch(top40, token) >= 0, "token " + token + " is not in the top 40");
        }
    }

    @Test
    void aLargeVocabularyWithoutTopKStaysInTheNucleus() {
        int vocab = 151_936;
        float[] logits = randomLogits(vocab, 3);
        Candidates nucleus = Candidates.of(logits);
        TopP.apply(nucleus, 0.95f);
        int[] allowed = Arrays.copyOf(nucleus.ids, nucleus.size);
        Arrays.sort(allowed);
        Sampler sampler = new Sampler(SamplerConfig.defaults().withTopK(0).withSeed(5), vocab);
        for (int token : tokens(sampler, logits, 20)) {
            assertTrue(Arrays.binarySearch(allowed, token) >= 0, "token " + token + " is outside the nucleus");
        }
    }

    @Test
    void rejectsMisuse() {
        Sampler sampler = new Sampler(PLAIN, 5);
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(new float[4]));
        assertThrows(IllegalArgumentException.class, () -> sampler.accept(5));
        assertThrows(IllegalArgumentException.class, () -> sampler.accept(-1));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(PLAIN, 0));
    }

    private static double[] frequencies(Sampler sampler, float[] logits) {
        double[] counts = new double[logits.length];
        for (int token : tokens(sampler, logits, DRAWS)) {
            counts[token]++;
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] /= DRAWS;
        }
        return counts;
    }

    /** Samples n times from the same logits (copied each time, since sampling may change them). */
    private static int[] tokens(Sampler sampler, float[] logits, int n) {
        int[] tokens = new int[n];
        float[] row = new float[logits.length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(logits, 0, row, 0, logits.length);
            tokens[i] = sampler.sample(row);
        }
        return tokens;
    }

    private static float[] randomLogits(int n, long seed) {
        Random random = new Random(seed);
        float[] logits = new float[n];
        for (int i = 0; i < n; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        return logits;
    }
}
