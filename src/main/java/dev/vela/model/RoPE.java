package dev.vela.model;

import dev.vela.model.Architecture.RopeStyle;

/**
 * Rotary position embedding: the leading {@code ropeDim} values of each head are rotated in pairs
 * by {@code pos · scale · θ_i}, with {@code θ_i = base^(-2i/ropeDim) / factor_i}. The pairs are
 * {@code (x[2i], x[2i+1])} in ggml's normal mode (LLaMA) and {@code (x[i], x[i + ropeDim/2])} in
 * NEOX mode (Qwen, Phi-3, Gemma). The scale is linear rope scaling (1 / factor); the optional
 * factors ({@code rope_freqs.weight}) carry Llama 3.1-style long-context scaling.
 */
public final class RoPE {
    private final int headDim;
    private final int ropeDim;
    private final RopeStyle style;
    private final double[] invFreq;
    private final float[] cos;
    private final float[] sin;
    private int cachedPos = -1;

    public RoPE(RopeStyle style, int headDim, int ropeDim, ModelConfig.RopeFrequencies freq, float[] factors) {
        this.style = style;
        this.headDim = headDim;
        this.ropeDim = ropeDim;
        this.invFreq = new double[ropeDim / 2];
        for (int i = 0; i < invFreq.length; i++) {
            double f = freq.scale() * Math.pow(freq.base(), -2.0 * i / ropeDim);
            invFreq[i] = factors == null ? f : f / factors[i];
        }
        this.cos = new float[ropeDim / 2];
        this.sin = new float[ropeDim / 2];
    }

    private void angles(int pos) {
        if (pos == cachedPos) {
            return;
        }
        for (int i = 0; i < invFreq.length; i++) {
            double a = pos * invFreq[i];
            cos[i] = (float) Math.cos(a);
            sin[i] = (float) Math.sin(a);
        }
        cachedPos = pos;
    }

    /** Rotates {@code heads} consecutive heads of {@code x}, from {@code off}, in place for position {@code pos}. */
    public void apply(float[] x, int off, int heads, int pos) {
        angles(pos);
        int half = ropeDim / 2;
        // index distance between the two values of a pair, and between the first values of two pairs
        int partner = style == RopeStyle.NEOX ? half : 1;
        int stride = style == RopeStyle.NEOX ? 1 : 2;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < half; i++) {
                int a = base + i * stride;
                float x0 = x[a];
                float x1 = x[a + partner];
                x[a] = x0 * cos[i] - x1 * sin[i];
                x[a + partner] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}
