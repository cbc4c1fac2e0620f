package dev.vela.sampling;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TemperatureAndSoftmaxTest {
    private static final float TOLERANCE = 1e-6f;

    @Test
    void softmaxOfKnownLogits() {
        Candidates c = Fixtures.fiveTokens();
        Softmax.apply(c);
        for (int i = 0; i < 5; i++) {
            assertEquals(Fixtures.PROBS[i], c.probs[i], TOLERANCE);
        }
    }

    @Test
    void lowTemperatureSharpens() {
        // Logits 1, 2, 3 at temperature 0.5 act as 2, 4, 6: e^-4, e^-2, 1 over 1.15365092.
        Candidates c = Candidates.of(1f, 2f, 3f);
        Temperature.apply(c, 0.5f);
        Softmax.apply(c);
        assertEquals(0.01587624f, c.probs[0], TOLERANCE);
        assertEquals(0.11731043f, c.probs[1], TOLERANCE);
        assertEquals(0.86681333f, c.probs[2], TOLERANCE);
    }

    @Test
    void highTemperatureFlattens() {
        // At temperature 2: e^-1, e^-0.5, 1 over 1.97441010.
        Candidates c = Candidates.of(1f, 2f, 3f);
        Temperature.apply(c, 2f);
        Softmax.apply(c);
        assertEquals(0.18632372f, c.probs[0], TOLERANCE);
        assertEquals(0.30719589f, c.probs[1], TOLERANCE);
        assertEquals(0.50648039f, c.probs[2], TOLERANCE);
    }

    @Test
    void squaringProbabilitiesIsTemperatureOneHalf() {
        Candidates c = Fixtures.fiveTokens();
        Temperature.apply(c, 0.5f);
        Softmax.apply(c);
        double sumOfSquares = 0;
        for (double p : Fixtures.PROBS) {
            sumOfSquares += p * p;
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(Fixtures.PROBS[i] * Fixtures.PROBS[i] / sumOfSquares, c.probs[i], TOLERANCE);
        }
    }

    @Test
    void tinyTemperatureDoesNotOverflow() {
        Candidates c = Candidates.of(1f, 30f, 29.9f);
        Temperature.apply(c, 1e-30f);
        Softmax.apply(c);
        assertEquals(0f, c.probs[0]);
        assertEquals(1f, c.probs[1]);
        assertEquals(0f, c.probs[2]);
    }
}
