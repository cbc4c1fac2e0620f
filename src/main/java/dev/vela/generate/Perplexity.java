package dev.vela.generate;

import dev.vela.model.Transformer;

/**
 * Perplexity of a token sequence as llama-perplexity computes it: the text is cut into
 * non-overlapping windows of {@code context} tokens (a partial last window is dropped), each
 * window starts with BOS in place of its first token, and only the second half of each window
 * is scored: positions {@code context/2} to {@code context-2} each predict the next token.
 * PPL = exp(mean negative log-likelihood).
 */
public final class Perplexity {
    /** After each window: its number, how many there are, and the perplexity so far. */
    @FunctionalInterface
    public interface Progress {
        void window(int done, int total, double pplSoFar);
    }

    private Perplexity() {}

    public static int windows(int tokens, int context) {
        return tokens / context;
    }

    public static double compute(Transformer model, int[] tokens, int context, int bos, Progress progress) {
        int windows = windows(tokens.length, context);
        if (windows == 0) {
            throw new IllegalArgumentException("the text has " + tokens.length + " tokens, fewer than one window of " + context);
        }
        int first = context / 2;
        double nll = 0;
        long count = 0;
        int[] window = new int[context];
        for (int w = 0; w < windows; w++) {
            System.arraycopy(tokens, w * context, window, 0, context);
            if (bos >= 0) {
                window[0] = bos;
            }
            double[] sum = new double[1];
            model.forward(window, 0, context, 0, first, (index, logits) -> {
                if (index < context - 1) {
                    sum[0] += negativeLogLikelihood(logits, window[index + 1]);
                }
            });
            nll += sum[0];
            count += context - 1 - first;
            if (progress != null) {
                progress.window(w + 1, windows, Math.exp(nll / count));
            }
        }
        return Math.exp(nll / count);
    }

    /** −log softmax(logits)[target], computed stably in double. */
    static double negativeLogLikelihood(float[] logits, int target) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return Math.log(sum) - (logits[target] - max);
    }
}
