package dev.vela.sampling;

import java.util.Arrays;

/**
 * llama.cpp's repeat penalty: every distinct token among the last N accepted ones has its logit
 * pushed toward "less likely", once however often it occurred. Positive logits are divided by
 * the penalty and the rest multiplied, because dividing a negative logit would raise it.
 */
final class RepetitionPenalty {
    private final float penalty;
    /** The last N accepted tokens as a ring; only the first {@code count} slots are filled. */
    private final int[] recent;
    private final int[] distinct;
    private int count;
    private int next;

    RepetitionPenalty(float penalty, int lastN) {
        this.penalty = penalty;
        this.recent = new int[lastN];
        this.distinct = new int[lastN];
    }

    boolean enabled() {
        return penalty != 1.0f && recent.length > 0;
    }

    void accept(int token) {
        if (recent.length == 0) {
            return;
        }
        recent[next] = token;
        next = (next + 1) % recent.length;
        count = Math.min(count + 1, recent.length);
    }

    void reset() {
        count = 0;
        next = 0;
    }

    /** Penalizes {@code logits}, indexed by token id, in place. */
    void apply(float[] logits) {
        if (!enabled() || count == 0) {
            return;
        }
        // Sorting a copy of at most N ids finds the distinct ones without a vocabulary-sized table.
        System.arraycopy(recent, 0, distinct, 0, count);
        Arrays.sort(distinct, 0, count);
        for (int i = 0; i < count; i++) {
            int token = distinct[i];
            if (i > 0 && token == distinct[i - 1]) {
                continue;
            }
            logits[token] = penalize(logits[token], penalty);
        }
    }

    static float penalize(float logit, float penalty) {
        return logit <= 0 ? logit * penalty : logit / penalty;
    }
}
