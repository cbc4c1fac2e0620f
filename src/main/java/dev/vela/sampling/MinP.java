package dev.vela.sampling;

/**
 * Keeps candidates at least {@code minP} times as likely as the most likely one. Probabilities
 * compare as logit differences (p_i / p_max = e^(l_i - l_max)), so no softmax is needed, and the
 * survivors keep their order.
 */
final class MinP {
    private MinP() {}

    static void apply(Candidates c, float minP) {
        if (minP <= 0 || c.size <= 1) {
            return;
        }
        float threshold = c.maxLogit() + (float) Math.log(minP);
        int kept = 0;
        for (int i = 0; i < c.size; i++) {
            if (c.logits[i] >= threshold) {
                c.ids[kept] = c.ids[i];
                c.logits[kept] = c.logits[i];
                kept++;
            }
        }
        c.size = kept;
    }
}
