package dev.vela.model;

import dev.vela.VelaException;

/**
 * Keys and values of every past position, per layer, in float32 (as the shared references are
 * computed): {@code keys[layer][pos * kvDim + i]}.
 */
public final class KVCache {
    final float[][] keys;
    final float[][] values;
    private final int capacity;
    private final int kvDim;

    public KVCache(int layers, int capacity, int kvDim) {
        long bytes = 2L * layers * capacity * kvDim * Float.BYTES;
        if ((long) capacity * kvDim > Integer.MAX_VALUE - 8) {
            throw new VelaException("a context of " + capacity + " tokens is too large for one layer's cache; use a smaller --context");
        }
        try {
            this.keys = new float[layers][capacity * kvDim];
            this.values = new float[layers][capacity * kvDim];
        } catch (OutOfMemoryError e) {
            throw new VelaException("not enough memory for a context of " + capacity + " tokens (" + (bytes >> 20)
                    + " MB of key/value cache); use a smaller --context or a larger -Xmx");
        }
        this.capacity = capacity;
        this.kvDim = kvDim;
    }

    public int capacity() {
        return capacity;
    }

    public int kvDim() {
        return kvDim;
    }

    void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        System.arraycopy(k, kOff, keys[layer], pos * kvDim, kvDim);
        System.arraycopy(v, vOff, values[layer], pos * kvDim, kvDim);
    }
}
