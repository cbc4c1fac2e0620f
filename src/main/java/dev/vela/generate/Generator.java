package dev.vela.generate;

import dev.vela.model.Transformer;
import dev.vela.sampling.Sampler;

import java.util.function.IntPredicate;

/**
 * Runs a sequence through the model: feeds tokens into the KV cache, samples new ones, and stops
 * at a stop token, a token budget, or the end of the context. Keeps its position between calls,
 * so a chat only processes the tokens that are new.
 */
public final class Generator {
    /** Why generation stopped. */
    public enum Stop { STOP_TOKEN, LIMIT, CONTEXT_FULL, CANCELLED }

    /** Receives each generated token; returns false to stop early (Ctrl-C in chat). */
    @FunctionalInterface
    public interface TokenSink {
        boolean accept(int token);
    }

    private final Transformer transformer;
    private final Sampler sampler;
    private final Stats stats = new Stats();
    private int position;
    private float[] lastLogits;

    public Generator(Transformer transformer, Sampler sampler) {
        this.transformer = transformer;
        this.sampler = sampler;
    }

    public int position() {
        return position;
    }

    public int contextLength() {
        return transformer.contextLength();
    }

    public Stats stats() {
        return stats;
    }

    /** Forgets the sequence: the next token goes to position 0. */
    public void reset() {
        position = 0;
        lastLogits = null;
        sampler.reset();
    }

    /**
     * Moves back to {@code newPosition}, dropping the cache entries after it (their keys stay in
     * memory but are overwritten before they are read again).
     */
    public void rewind(int newPosition) {
        if (newPosition < 0 || newPosition > position) {
            throw new IllegalArgumentException("cannot rewind from " + position + " to " + newPosition);
        }
        position = newPosition;
        lastLogits = null;
    }

    /** How many more tokens fit in the context. */
    public int remaining() {
        return transformer.contextLength() - position;
    }

    /** Feeds prompt tokens into the cache; the caller checks they fit. Counts as prompt processing. */
    public void ingest(int[] tokens) {
        if (tokens.length > remaining()) {
            throw new IllegalArgumentException(tokens.length + " tokens do not fit in the " + remaining() + " left in the context");
        }
        if (tokens.length == 0) {
            return;
        }
        long t0 = System.nanoTime();
        lastLogits = transformer.forward(tokens, 0, tokens.length, position);
        position += tokens.length;
        for (int token : tokens) {
            sampler.accept(token);
        }
        stats.promptTokens += tokens.length;
        stats.promptNanos += System.nanoTime() - t0;
    }

    /**
     * Samples up to {@code maxTokens} tokens (negative: until the context is full) after what was
     * ingested, passing each to {@code sink}. A stop token is passed to the sink too, and its
     * position is kept in the cache, so a chat can continue after it.
     */
    public Stop generate(int maxTokens, IntPredicate isStop, TokenSink sink) {
        if (lastLogits == null) {
            throw new IllegalStateException("ingest a prompt before generating");
        }
        long t0 = System.nanoTime();
        try {
            for (int n = 0; maxTokens < 0 || n < maxTokens; n++) {
                int token = sampler.sample(lastLogits);
                sampler.accept(token);
                stats.generatedTokens++;
                boolean stop = isStop.test(token);
                if (!stop && position >= transformer.contextLength()) {
                    sink.accept(token);
                    return Stop.CONTEXT_FULL;
                }
                if (stop) {
                    // The stop token enters the cache so that the next turn's template text follows it.
                    if (position < transformer.contextLength()) {
                        lastLogits = transformer.forward(token, position++);
                    }
                    sink.accept(token);
                    return Stop.STOP_TOKEN;
                }
                lastLogits = transformer.forward(token, position++);
                if (!sink.accept(token)) {
                    return Stop.CANCELLED;
                }
            }
            return Stop.LIMIT;
        } finally {
            stats.generateNanos += System.nanoTime() - t0;
        }
    }
}
