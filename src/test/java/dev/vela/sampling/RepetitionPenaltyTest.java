package dev.vela.sampling;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RepetitionPenaltyTest {
    @Test
    void dividesPositiveAndMultipliesOtherLogits() {
        assertEquals(1.5f, RepetitionPenalty.penalize(3f, 2f));
        assertEquals(-4f, RepetitionPenalty.penalize(-2f, 2f));
        assertEquals(0f, RepetitionPenalty.penalize(0f, 2f));
        // A penalty below 1 favours repeats: the same rule, mirrored.
        assertEquals(6f, RepetitionPenalty.penalize(3f, 0.5f));
    }

    @Test
    void penalizesEachRecentTokenOnce() {
        RepetitionPenalty penalty = new RepetitionPenalty(2f, 64);
        for (int token : new int[] {0, 1, 2, 0, 0}) {
            penalty.accept(token);
        }
        float[] logits = {2f, -1f, 0f, 3f};
        penalty.apply(logits);
        assertArrayEquals(new float[] {1f, -2f, 0f, 3f}, logits);
    }

    @Test
    void looksOnlyAtTheLastNTokens() {
        RepetitionPenalty penalty = new RepetitionPenalty(2f, 2);
        for (int token : new int[] {0, 1, 2, 3, 2}) {
            penalty.accept(token);
        }
        float[] logits = {4f, 4f, 4f, 4f};
        penalty.apply(logits);
        assertArrayEquals(new float[] {4f, 4f, 2f, 2f}, logits);
    }

    @Test
    void resetForgetsTheHistory() {
        RepetitionPenalty penalty = new RepetitionPenalty(2f, 8);
        penalty.accept(1);
        penalty.reset();
        float[] logits = {4f, 4f};
        penalty.apply(logits);
        assertArrayEquals(new float[] {4f, 4f}, logits);
    }

    @Test
    void penaltyOneOrWindowZeroIsOff() {
        float[] logits = {4f, -4f};
        RepetitionPenalty one = new RepetitionPenalty(1f, 8);
        one.accept(0);
        one.accept(1);
        one.apply(logits);
        RepetitionPenalty none = new RepetitionPenalty(2f, 0);
        none.accept(0);
        none.apply(logits);
        assertArrayEquals(new float[] {4f, -4f}, logits);
    }
}
