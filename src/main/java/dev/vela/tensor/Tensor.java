package dev.vela.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A weight matrix of {@code rows × cols} in one ggml type: stored row by row and viewed in place
 * over the mapped file, or copied once at load into a layout for faster decoding
 * ({@link #repacked}). Each type owns its dot product: a Vector API kernel and a plain scalar
 * twin that computes the same sum and that the tests compare it to.
 */
public abstract class Tensor {
    protected final MemorySegment data;
    protected final int rows;
    protected final int cols;
    protected final long rowBytes;

    protected Tensor(GGMLType type, MemorySegment data, int rows, int cols) {
        if (cols % type.blockSize != 0) {
            throw new IllegalArgumentException("row length " + cols + " is not a multiple of " + type + "'s block size " + type.blockSize);
        }
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = type.bytesFor(cols);
        if (data.byteSize() < rowBytes * rows) {
            throw new IllegalArgumentException("tensor data holds " + data.byteSize() + " bytes, needs " + rowBytes * rows);
        }
    }

    public abstract GGMLType type();

    public final int rows() {
        return rows;
    }

    public final int cols() {
        return cols;
    }

    public final MemorySegment data() {
        return data;
    }

    /**
     * Dot product of row {@code row} with the first {@code cols} floats of {@code x}, vectorized;
     * x is an activation vector in aligned native memory ({@link Activations}).
     */
    public abstract float dot(int row, MemorySegment x);

    /** The same dot product with {@code x[xOff .. xOff+cols)}, copied to aligned memory first. */
    public float dot(int row, float[] x, int xOff) {
        try (Arena arena = Arena.ofConfined()) {
            return dot(row, Activations.of(arena, x, xOff, cols));
        }
    }

    /** The same dot product in plain scalar Java: the reference for {@link #dot}. */
    public abstract float dotScalar(int row, float[] x, int xOff);

    /** Writes the {@code cols} values of row {@code row} as floats to {@code out[off..]}. */
    public abstract void dequantizeRow(int row, float[] out, int off);

    /**
     * {@code out[r] = row r · x} for {@code r} in {@code [from, to)}. Types may override this to
     * work on several rows at once; the default is one dot product per row.
     */
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        for (int r = from; r < to; r++) {
            out[r] = dot(r, x);
        }
    }

    /** {@link #matvec(MemorySegment, float[], int, int)} with x in an array, copied to aligned memory first. */
    public void matvec(float[] x, float[] out, int from, int to) {
        try (Arena arena = Arena.ofConfined()) {
            matvec(Activations.of(arena, x, 0, cols), out, from, to);
        }
    }

    /**
     * This matrix in the layout its matrix-vector product runs fastest on: a copy in memory of
     * {@code arena} for a type with a repacked layout (Q8_0, Q4_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS: 32 rows side
     * by side, {@link Q4_0x32Tensor} and its siblings) when its rows fill whole groups, else
     * itself. The copy's reader must not use this view's bytes afterwards: they may be released.
     */
    public Tensor repacked(Arena arena) {
        return this;
    }

    /**
     * Rows {@link #dequantizePanel} dequantizes together, for prompts; 0 where the type
     * dequantizes row by row ({@link #dequantizeRow}), as most do.
     */
    public int panelRows() {
        return 0;
    }

    /**
     * Rows {@code [first, first + panelRows())}, columns {@code [k0, k1)} (multiples of 32) as
     * floats into {@code panel}, column-major: column k, row r at
     * {@code (k - k0) × panelRows() + r - first}.
     */
    public void dequantizePanel(int first, int k0, int k1, float[] panel) {
        throw new UnsupportedOperationException(type() + " dequantizes row by row");
    }

    /** Rows {@link #matvec} works on together; a range should start on a multiple of it. */
    public int rowsPerPass() {
        return 1;
    }

    /** Bytes of weights one full matrix-vector product reads. */
    public final long byteSize() {
        return rowBytes * rows;
    }
}
