package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * Matrix times many activation rows, for prompt processing: {@code out[t][r] = W[r] · x[t]} for
 * a batch of tokens. Each group of weight rows is dequantized once into a small float buffer and
 * then reused for every token of the batch, four rows by four tokens at a time, so the work is
 * bound by arithmetic rather than by reading the weights once per token.
 */
public final class MatMul {
    /** Weight rows dequantized together; the micro-kernel works on this many rows at once. */
    public static final int ROWS = 4;
    private static final int TOKENS = 4;
    /**
     * Columns per pass over the activations: a batch of 128 tokens of 1024 floats is 512 KB, half
     * a core's 1 MB L2 cache, so it stays there beside the dequantized rows while the weights
     * stream in. Slices of 2048 (the whole L2) measured 12-24% slower prompts, 512 slower too.
     */
    private static final int K_SLICE = 1024;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private MatMul() {}

    /**
     * Below this many bytes of weights a matrix-vector product runs on the calling thread:
     * waking the workers and waiting for the last of them costs microseconds, about what one
     * thread needs to stream this much.
     */
    public static final long PARALLEL_MIN_BYTES = 256 << 10;

    /**
     * {@code out = w · x}, the decode step's product: the rows are split across the pool's
     * threads on multiples of {@link Tensor#rowsPerPass()}, unless the matrix is small enough
     * that splitting costs more than it saves. x is in aligned native memory ({@link Activations}).
     */
    public static void vector(Parallel pool, Tensor w, MemorySegment x, float[] out) {
        if (w.byteSize() < PARALLEL_MIN_BYTES) {
            w.matvec(x, out, 0, w.rows());
        } else {
            pool.forRange(w.rows(), w.rowsPerPass(), (from, to) -> w.matvec(x, out, from, to));
        }
    }

    /** Scratch floats one thread needs for a matrix of {@code cols} columns. */
    public static int scratchSize(int cols) {
        return ROWS * cols;
    }

    /**
     * Rows {@code [from, to)} of {@code w} times {@code n} activation rows of {@code x} (row t at
     * {@code t * xStride}), into {@code out} (row t at {@code t * outStride}, column r).
     */
    public static void rows(Tensor w, float[] x, int xStride, int n, float[] out, int outStride, int from, int to, float[] scratch) {
        int cols = w.cols();
        for (int r0 = from; r0 < to; r0 += ROWS) {
            int rows = Math.min(ROWS, to - r0);
            for (int r = 0; r < rows; r++) {
                w.dequantizeRow(r0 + r, scratch, r * cols);
            }
            // Long rows are taken a slice of columns at a time, so that the slice of every token's
            // activations stays in the core's cache while all four-token groups pass over it.
            for (int k0 = 0; k0 < cols; k0 += K_SLICE) {
                int k1 = Math.min(cols, k0 + K_SLICE);
                boolean first = k0 == 0;
                int t = 0;
                if (rows == ROWS) {
                    for (; t + TOKENS <= n; t += TOKENS) {
                        kernel4x4(scratch, cols, k0, k1, x, t * xStride, xStride, out, t * outStride + r0, outStride, first);
                    }
                }
                for (; t < n; t++) {
                    for (int r = 0; r < rows; r++) {
                        float d = FloatOps.dot(scratch, r * cols + k0, x, t * xStride + k0, k1 - k0);
                        int o = t * outStride + r0 + r;
                        out[o] = first ? d : out[o] + d;
                    }
                }
            }
        }
    }

    /**
     * Columns {@code [k0, k1)} of four dequantized rows (at 0, cols, 2 cols, 3 cols of {@code w})
     * times four activation rows; the first slice sets the outputs, later ones add to them.
     */
    private static void kernel4x4(float[] w, int cols, int k0, int k1, float[] x, int x0, int xStride, float[] out, int o0, int outStride,
                                  boolean first) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        int upper = k0 + S.loopBound(k1 - k0);
        int i = k0;
        for (; i < upper; i += S.length()) {
            FloatVector w0 = FloatVector.fromArray(S, w, i);
            FloatVector w1 = FloatVector.fromArray(S, w, cols + i);
            FloatVector w2 = FloatVector.fromArray(S, w, 2 * cols + i);
            FloatVector w3 = FloatVector.fromArray(S, w, 3 * cols + i);
            FloatVector v = FloatVector.fromArray(S, x, x0 + i);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            a20 = w2.fma(v, a20);
            a30 = w3.fma(v, a30);
            v = FloatVector.fromArray(S, x, x1 + i);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            a21 = w2.fma(v, a21);
            a31 = w3.fma(v, a31);
            v = FloatVector.fromArray(S, x, x2 + i);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            a22 = w2.fma(v, a22);
            a32 = w3.fma(v, a32);
            v = FloatVector.fromArray(S, x, x3 + i);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
            a23 = w2.fma(v, a23);
            a33 = w3.fma(v, a33);
        }
        float[] s = {
                a00.reduceLanes(VectorOperators.ADD), a10.reduceLanes(VectorOperators.ADD), a20.reduceLanes(VectorOperators.ADD), a30.reduceLanes(VectorOperators.ADD),
                a01.reduceLanes(VectorOperators.ADD), a11.reduceLanes(VectorOperators.ADD), a21.reduceLanes(VectorOperators.ADD), a31.reduceLanes(VectorOperators.ADD),
                a02.reduceLanes(VectorOperators.ADD), a12.reduceLanes(VectorOperators.ADD), a22.reduceLanes(VectorOperators.ADD), a32.reduceLanes(VectorOperators.ADD),
                a03.reduceLanes(VectorOperators.ADD), a13.reduceLanes(VectorOperators.ADD), a23.reduceLanes(VectorOperators.ADD), a33.reduceLanes(VectorOperators.ADD)};
        for (; i < k1; i++) {
            for (int t = 0; t < TOKENS; t++) {
                float xv = x[x0 + t * xStride + i];
                for (int r = 0; r < ROWS; r++) {
                    s[t * ROWS + r] += w[r * cols + i] * xv;
                }
            }
        }
        for (int t = 0; t < TOKENS; t++) {
            for (int r = 0; r < ROWS; r++) {
                int o = o0 + t * outStride + r;
                out[o] = first ? s[t * ROWS + r] : out[o] + s[t * ROWS + r];
            }
        }
    }

    /** The scalar twin of {@link #rows}: one plain dot product per (token, row). */
    public static void rowsScalar(Tensor w, float[] x, int xStride, int n, float[] out, int outStride, int from, int to) {
        for (int t = 0; t < n; t++) {
            for (int r = from; r < to; r++) {
                out[t * outStride + r] = w.dotScalar(r, x, t * xStride);
            }
        }
    }
}
