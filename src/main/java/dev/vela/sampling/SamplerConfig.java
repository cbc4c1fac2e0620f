package dev.vela.sampling;

import dev.vela.VelaException;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How to turn logits into a token, with llama.cpp's meaning for each knob.
 *
 * @param temperature   0 is greedy (argmax); otherwise logits are divided by it before the draw
 * @param topK          keep the k most likely tokens; 0 turns it off
 * @param topP          keep the smallest set of most likely tokens whose probability is at least p;
 *                      1 turns it off
 * @param minP          keep tokens at least minP times as likely as the most likely one; 0 turns it off
 * @param repeatPenalty make tokens seen in the last {@code repeatLastN} less likely; 1 turns it off
 * @param repeatLastN   how many recent tokens the penalty looks at; 0 turns it off
 * @param seed          the draw's random seed: the same seed and inputs give the same tokens
 */
public record SamplerConfig(float temperature, int topK, float topP, float minP,
                            float repeatPenalty, int repeatLastN, long seed) {

    public SamplerConfig {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new VelaException("temperature must be 0 (greedy) or a positive number, got " + temperature);
        }
        if (topK < 0) {
            throw new VelaException("top-k must be 0 (off) or positive, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new VelaException("top-p must be in (0, 1] (1 turns it off), got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new VelaException("min-p must be in [0, 1] (0 turns it off), got " + minP);
        }
        if (!(repeatPenalty > 0) || Float.isInfinite(repeatPenalty)) {
            throw new VelaException("repeat penalty must be a positive number (1 turns it off), got " + repeatPenalty);
        }
        if (repeatLastN < 0) {
            throw new VelaException("repeat-last-n must be 0 (off) or positive, got " + repeatLastN);
        }
    }

    /** llama.cpp's defaults, with a fresh random seed each call (llama.cpp's default seed means "random"). */
    public static SamplerConfig defaults() {
        return new SamplerConfig(0.8f, 40, 0.95f, 0.05f, 1.0f, 64, ThreadLocalRandom.current().nextLong());
    }

    /** Argmax decoding: the other settings, except the repetition penalty, are then ignored. */
    public boolean greedy() {
        return temperature == 0;
    }

    public SamplerConfig withTemperature(float temperature) {
        return new SamplerConfig(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed);
    }

    public SamplerConfig withTopK(int topK) {
        return new SamplerConfig(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed);
    }

    public SamplerConfig withTopP(float topP) {
        return new SamplerConfig(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed);
    }

    public SamplerConfig withMinP(float minP) {
        return new SamplerConfig(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed);
    }

    public SamplerConfig withRepeatPenalty(float repeatPenalty, int repeatLastN) {
        return new SamplerConfig(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed);
    }

    public SamplerConfig withSeed(long seed) {
        return new SamplerConfig(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed);
    }
}
