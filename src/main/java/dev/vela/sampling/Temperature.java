package dev.vela.sampling;

/**
 * Scales logits by 1/temperature: below 1 sharpens the distribution, above 1 flattens it.
 * Logits are shifted so the largest is 0 first: the distribution is the same, and a tiny
 * temperature cannot overflow the top logits to infinity (which would make the softmax NaN).
 */
final class Temperature {
    private Temperature() {}

    static void apply(Candidates c, float temperature) {
        float max = c.maxLogit();
        for (int i = 0; i < c.size; i++) {
            c.logits[i] = (c.logits[i] - max) / temperature;
        }
    }
}
