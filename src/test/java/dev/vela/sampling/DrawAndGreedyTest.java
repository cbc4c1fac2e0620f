package dev.vela.sampling;

import org.junit.jupiter.api.Test;

import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DrawAndGreedyTest {
    @Test
    void drawWalksTheCumulativeProbabilities() {
        // Cumulative 0.2, 0.7, 1.0 over ids 7, 3, 5.
        assertEquals(7, draw(0.0));
        assertEquals(7, draw(0.1));
        assertEquals(3, draw(0.2000001));
        assertEquals(3, draw(0.69));
        assertEquals(5, draw(0.71));
        assertEquals(5, draw(Math.nextDown(1.0)));
    }

    @Test
    void drawNeverPicksAnImpossibleToken() {
        Candidates c = Candidates.of(0f, 0f, 0f);
        c.probs[0] = 0f;
        c.probs[1] = 1f;
        c.probs[2] = 0f;
        assertEquals(1, Draw.pick(c, fixed(0.0)));
        assertEquals(1, Draw.pick(c, fixed(Math.nextDown(1.0))));
    }

    @Test
    void greedyPicksTheHighestLogitAndTheLowestIdOnTies() {
        assertEquals(1, Greedy.argmax(new float[] {1f, 5f, 5f, 2f}));
        assertEquals(0, Greedy.argmax(new float[] {-3f, -3f, -3f}));
        assertEquals(2, Greedy.argmax(new float[] {Float.NEGATIVE_INFINITY, -9f, -1f}));
    }

    private static int draw(double u) {
        Candidates c = Candidates.of(0f, 0f, 0f);
        c.ids[0] = 7;
        c.ids[1] = 3;
        c.ids[2] = 5;
        c.probs[0] = 0.2f;
        c.probs[1] = 0.5f;
        c.probs[2] = 0.3f;
        return Draw.pick(c, fixed(u));
    }

    /** A generator whose nextDouble is always u, to aim the draw. */
    private static RandomGenerator fixed(double u) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return u;
            }
        };
    }
}
