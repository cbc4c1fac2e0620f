package dev.vela.generate;

/** Token counts and times of prompt processing and generation, as llama.cpp reports them. */
public final class Stats {
    long promptTokens;
    long promptNanos;
    long generatedTokens;
    long generateNanos;

    public long promptTokens() {
        return promptTokens;
    }

    public long generatedTokens() {
        return generatedTokens;
    }

    public double promptTokensPerSecond() {
        return promptNanos == 0 ? 0 : promptTokens * 1e9 / promptNanos;
    }

    public double generateTokensPerSecond() {
        return generateNanos == 0 ? 0 : generatedTokens * 1e9 / generateNanos;
    }

    public void reset() {
        promptTokens = promptNanos = generatedTokens = generateNanos = 0;
    }

    /** Two lines for stderr: prompt and generation speed. */
    public String report() {
        return String.format("prompt:     %5d tokens in %7.2f s (%8.2f tokens/s)%ngeneration: %5d tokens in %7.2f s (%8.2f tokens/s)",
                promptTokens, promptNanos / 1e9, promptTokensPerSecond(),
                generatedTokens, generateNanos / 1e9, generateTokensPerSecond());
    }
}
