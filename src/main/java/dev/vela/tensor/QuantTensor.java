package dev.vela.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A matrix of one block-quantized type. Subclasses give the layout once, as {@link #weight};
 * the scalar dot product and the row dequantization are built on it, so the vectorized kernel
 * is checked against a reading of the layout that shares none of its tricks.
 */
abstract class QuantTensor extends Tensor {
    protected final int blockSize;
    protected final int typeSize;

    QuantTensor(GGMLType type, MemorySegment data, int rows, int cols) {
        super(type, data, rows, cols);
        this.blockSize = type.blockSize;
        this.typeSize = type.typeSize;
    }

    /**
     * These kernels reorder or group x per call, in arrays; so x comes in as an array and the
     * aligned native form is copied out once per call.
     */
    @Override
    public abstract float dot(int row, float[] x, int xOff);

    @Override
    public float dot(int row, MemorySegment x) {
        return dot(row, Activations.toArray(x, cols), 0);
    }

    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        matvec(Activations.toArray(x, cols), out, from, to);
    }

    @Override
    public void matvec(float[] x, float[] out, int from, int to) {
        for (int r = from; r < to; r++) {
            out[r] = dot(r, x, 0);
        }
    }

    /** Weight {@code i} (0 .. block size − 1) of the block starting at byte {@code block}. */
    abstract float weight(long block, int i);

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        float sum = 0f;
        for (int i = 0; i < cols; i++) {
            sum += weight(base + (long) (i / blockSize) * typeSize, i % blockSize) * x[xOff + i];
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long base = row * rowBytes;
        for (int i = 0; i < cols; i++) {
            out[off + i] = weight(base + (long) (i / blockSize) * typeSize, i % blockSize);
        }
    }
}
