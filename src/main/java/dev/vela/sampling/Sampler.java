package dev.vela.sampling;

import java.util.SplittableRandom;

/**
 * Turns a row of logits into a token id with llama.cpp's default chain: repetition penalty,
 * top-k, top-p, min-p, temperature, then a seeded random draw. Temperature 0 is greedy: the
 * penalty still applies, then the argmax is taken and nothing random happens.
 *
 * <p>Keeps its buffers between tokens, so it is not thread-safe: one sampler per sequence.
 * The caller {@link #accept}s every prompt token and every token it keeps, in order; that history
 * is what the repetition penalty looks at.
 */
public final class Sampler {
    private final SamplerConfig config;
    private final int vocabSize;
    private final Candidates candidates;
    private final RepetitionPenalty penalty;
    private SplittableRandom rng;

    public Sampler(SamplerConfig config, int vocabSize) {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
        }
        this.config = config;
        this.vocabSize = vocabSize;
        this.candidates = new Candidates(config.greedy() ? 0 : vocabSize);
        this.penalty = new RepetitionPenalty(config.repeatPenalty(), config.repeatLastN());
        this.rng = new SplittableRandom(config.seed());
    }

    public SamplerConfig config() {
        return config;
    }

    /** The next token for these logits (one per vocabulary entry); {@code logits} is modified. */
    public int sample(float[] logits) {
        if (logits.length != vocabSize) {
            throw new IllegalArgumentException(logits.length + " logits for a vocabulary of " + vocabSize);
        }
        penalty.apply(logits);
        if (config.greedy()) {
            return Greedy.argmax(logits);
        }
        Candidates c = candidates;
        c.load(logits);
        TopK.apply(c, config.topK());
        TopP.apply(c, config.topP());
        MinP.apply(c, config.minP());
        Temperature.apply(c, config.temperature());
        Softmax.apply(c);
        return Draw.pick(c, rng);
    }

    /** Records a token of the sequence (prompt or generated) for the repetition penalty. */
    public void accept(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + vocabSize);
        }
        penalty.accept(token);
    }

    /** Forgets the history and restarts the random sequence from the seed, as for a new sequence. */
    public void reset() {
        penalty.reset();
        rng = new SplittableRandom(config.seed());
    }
}
