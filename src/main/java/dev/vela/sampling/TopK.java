package dev.vela.sampling;

/** Keeps the k candidates with the highest logits, leaving them in rank order. */
final class TopK {
    private TopK() {}

    static void apply(Candidates c, int k) {
        if (k <= 0 || k >= c.size) {
            return;
        }
        if (c.sorted) {
            c.size = k;
            return;
        }
        c.rankTop(k);
        c.keepRanked(k);
    }
}
