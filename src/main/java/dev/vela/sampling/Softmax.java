package dev.vela.sampling;

/** Fills the candidates' probabilities from their logits. */
final class Softmax {
    private Softmax() {}

    static void apply(Candidates c) {
        float max = c.maxLogit();
        double sum = 0;
        for (int i = 0; i < c.size; i++) {
            float e = (float) Math.exp(c.logits[i] - max);
            c.probs[i] = e;
            sum += e;
        }
        float scale = (float) (1.0 / sum);
        for (int i = 0; i < c.size; i++) {
            c.probs[i] *= scale;
        }
    }
}
