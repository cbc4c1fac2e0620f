package dev.vela.sampling;

import java.util.random.RandomGenerator;

/** Picks a candidate at random with the probabilities {@link Softmax} left in them. */
final class Draw {
    private Draw() {}

    static int pick(Candidates c, RandomGenerator rng) {
        // Aim at a fraction of the actual total, so float rounding in the probabilities cannot
        // push the target past the last candidate.
        double total = 0;
        for (int i = 0; i < c.size; i++) {
            total += c.probs[i];
        }
        double target = rng.nextDouble() * total;
        double cumulative = 0;
        int lastPossible = 0;
        for (int i = 0; i < c.size; i++) {
            if (c.probs[i] > 0) {
                cumulative += c.probs[i];
                lastPossible = i;
                if (cumulative > target) {
                    return c.ids[i];
                }
            }
        }
        return c.ids[lastPossible];
    }
}
