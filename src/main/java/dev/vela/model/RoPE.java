package dev.vela.model;

/**
 * Rotary position embedding in GGUF's layout for LLaMA: the leading {@code ropeDim} values of each
 * head are rotated in adjacent pairs {@code (x[2i], x[2i+1])} by {@code pos · θ_i}, with
 * {@code θ_i = base^(-2i/ropeDim) / factor_i}. The optional factors ({@code rope_freqs.weight})
 * carry Llama 3.1-style long-context scaling.
 */
public final class RoPE {
    private final int headDim;
    private final int ropeDim;
    private final double[] invFreq;
    private final float[] cos;
    private final float[] sin;
    private int cachedPos = -1;

    public RoPE(int headDim, int ropeDim, float base, float[] factors) {
        this.headDim = headDim;
        this.ropeDim = ropeDim;
        this.invFreq = new double[ropeDim / 2];
        for (int i = 0; i < invFreq.length; i++) {
            double f = Math.pow(base, -2.0 * i / ropeDim);
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
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < ropeDim / 2; i++) {
                float x0 = x[base + 2 * i];
                float x1 = x[base + 2 * i + 1];
                x[base + 2 * i] = x0 * cos[i] - x1 * sin[i];
                x[base + 2 * i + 1] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}
