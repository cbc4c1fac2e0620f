package dev.vela.sampling;

/** The most likely token; ties go to the lowest id so greedy decoding is fully deterministic. */
final class Greedy {
    private Greedy() {}

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
