package dev.vela.sampling;

/**
 * Nucleus sampling: keeps the smallest set of most likely candidates whose probabilities sum to
 * at least p (always at least one), leaving them in rank order.
 */
final class TopP {
    /**
     * Without top-k the candidates are the whole vocabulary. The nucleus is usually a few dozen
     * tokens, so rank only the best few hundred first and sort everything only if they fall short.
     */
    static final int RANK_ALL_UP_TO = 1024;
    static final int FIRST_GUESS = 256;

    private TopP() {}

    static void apply(Candidates c, float p) {
        if (p >= 1.0f || c.size <= 1) {
            return;
        }
        float max = c.maxLogit();
        double sum = 0;
        for (int i = 0; i < c.size; i++) {
            sum += Math.exp(c.logits[i] - max);
        }

        if (c.sorted) {
            double cumulative = 0;
            for (int i = 0; i < c.size; i++) {
                cumulative += Math.exp(c.logits[i] - max) / sum;
                if (cumulative >= p) {
                    c.size = i + 1;
                    return;
                }
            }
            return;
        }

        int ranked = c.size > RANK_ALL_UP_TO ? FIRST_GUESS : c.size;
        c.rankTop(ranked);
        int keep = c.size;
        double cumulative = 0;
        for (int i = 0; i < c.size; i++) {
            if (i == ranked) {
                // The full ranking starts with the same keys, so the sum so far stays valid.
                c.rankAll();
                ranked = c.size;
            }
            cumulative += Math.exp(RankKey.logit(c.keys[i]) - max) / sum;
            if (cumulative >= p) {
                keep = i + 1;
                break;
            }
        }
        c.keepRanked(keep);
    }
}
