package dev.vela.model;

import dev.vela.VelaException;

/**
 * Keys and values of every past position, per layer, in float32 (as the shared references are
 * computed). Keys are stored transposed, {@code keys[layer][(kvHead * headDim + d) * stride + pos]},
 * so that attention scores for many positions are one vector operation per head dimension;
 * values are stored by position, {@code values[layer][pos * kvDim + i]}, as the weighted sum
 * reads them. {@code stride} is the capacity rounded up to whole vectors.
 */
public final class KVCache {
    /** Whole vectors of floats, so attention can read keys past the last position without a tail loop. */
    private static final int ALIGN = Math.max(16, jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length());

    final float[][] keys;
    final float[][] values;
    private final int capacity;
    private final int stride;
    private final int kvDim;
    private final int headDim;

    public KVCache(int layers, int capacity, int kvDim, int headDim) {
        this.stride = (capacity + ALIGN - 1) / ALIGN * ALIGN;
        long bytes = 2L * layers * stride * kvDim * Float.BYTES;
        if ((long) stride * kvDim > Integer.MAX_VALUE - 8) {
            throw new VelaException("a context of " + capacity + " tokens is too large for one layer's cache; use a smaller --context");
        }
        try {
            this.keys = new float[layers][stride * kvDim];
            this.values = new float[layers][stride * kvDim];
        } catch (OutOfMemoryError e) {
            throw new VelaException("not enough memory for a context of " + capacity + " tokens (" + (bytes >> 20)
                    + " MB of key/value cache); use a smaller --context or a larger -Xmx");
        }
        this.capacity = capacity;
        this.kvDim = kvDim;
        this.headDim = headDim;
    }

    public int capacity() {
        return capacity;
    }

    /** Distance between two head dimensions of the transposed keys: the capacity rounded up to whole vectors. */
    int stride() {
        return stride;
    }

    public int kvDim() {
        return kvDim;
    }

    void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        float[] kl = keys[layer];
        for (int i = 0; i < kvDim; i++) {
            kl[i * stride + pos] = k[kOff + i];
        }
        System.arraycopy(v, vOff, values[layer], pos * kvDim, kvDim);
    }

    /** Where kv head {@code kvHead}'s transposed keys start in a layer's array. */
    int keyBase(int kvHead) {
        return kvHead * headDim * stride;
    }
}
