package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Matrix times many activation rows, for prompt processing: {@code out[t][r] = W[r] · x[t]} for
 * a batch of tokens. The activations are first packed column by column ({@link #pack}: for each
 * column, the values of two vectors' worth of consecutive tokens side by side, 32 at 512 bits),
 * so a tile of eight weight rows by 32 tokens is 16 vector accumulators, each updated by one
 * weight broadcast times one packed vector per column. Each group of weight rows is dequantized
 * once into a small float buffer and then reused for every token of the batch, so the work is
 * bound by arithmetic rather than by reading the weights once per token.
 *
 * <p>This outer-product form replaced dot products along the columns (four rows by four tokens,
 * each step loading four activation vectors from L2 for 16 multiply-adds): here a step loads two
 * packed vectors for 16, and no accumulator needs summing across its lanes at the end.
 */
public final class MatMul {
    /** Weight rows dequantized together; the micro-kernel works on this many rows at once. */
    public static final int ROWS = 8;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Tokens side by side in a packed column: two vectors. */
    private static final int GROUP = 2 * S.length();
    /**
     * Columns per pass over the packed activations: a batch of 128 tokens of 1024 columns is 512
     * KB, half a core's 1 MB L2 cache, so it stays there beside the dequantized rows while the
     * weights stream in.
     */
    private static final int K_SLICE = 1024;
    /** Rows of a column-major panel ({@link Tensor#dequantizePanel}): Q4_0x32's group, the only such type. */
    private static final int PANEL = Q4_0x32Tensor.GROUP;

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
        return Math.max(ROWS * cols, PANEL * K_SLICE);
    }

    /** Floats {@link #pack} writes for {@code n} tokens of {@code cols} columns. */
    public static int packedSize(int n, int cols) {
        return (n + GROUP - 1) / GROUP * GROUP * cols;
    }

    /**
     * Columns {@code [from, to)} of the {@code n} activation rows of x (row t at
     * {@code t * xStride}) into panels of {@link #GROUP} tokens: token {@code g * GROUP + j},
     * column k at {@code (g * cols + k) * GROUP + j}; tokens past n are zero. Threads may pack
     * disjoint column ranges at once.
     */
    public static void pack(float[] x, int xStride, int n, int cols, int from, int to, float[] packed) {
        for (int g = 0; g * GROUP < n; g++) {
            int base = g * cols * GROUP;
            int tokens = Math.min(GROUP, n - g * GROUP);
            for (int j = 0; j < tokens; j++) {
                int row = (g * GROUP + j) * xStride;
                for (int k = from; k < to; k++) {
                    packed[base + k * GROUP + j] = x[row + k];
                }
            }
            for (int j = tokens; j < GROUP; j++) {
                for (int k = from; k < to; k++) {
                    packed[base + k * GROUP + j] = 0f;
                }
            }
        }
    }

    /**
     * Rows {@code [from, to)} of {@code w} times the {@code n} tokens {@link #pack packed} in
     * {@code packed}, into {@code out} (row t at {@code t * outStride}, column r).
     */
    public static void rows(Tensor w, float[] packed, int n, float[] out, int outStride, int from, int to, float[] scratch) {
        if (w.panelRows() > 0) {
            panels(w, packed, n, out, outStride, from, to, scratch);
            return;
        }
        int cols = w.cols();
        int groups = (n + GROUP - 1) / GROUP;
        float[] tiles = new float[groups * ROWS * GROUP];
        for (int r0 = from; r0 < to; r0 += ROWS) {
            int rows = Math.min(ROWS, to - r0);
            for (int r = 0; r < rows; r++) {
                w.dequantizeRow(r0 + r, scratch, r * cols);
            }
            // A partial group of rows repeats its last row and stores only the valid ones.
            for (int r = rows; r < ROWS; r++) {
                System.arraycopy(scratch, (rows - 1) * cols, scratch, r * cols, cols);
            }
            Arrays.fill(tiles, 0f);
            // Long rows are taken a slice of columns at a time, so that the slice of every token's
            // packed activations stays in the core's cache while all token groups pass over it.
            for (int k0 = 0; k0 < cols; k0 += K_SLICE) {
                int k1 = Math.min(cols, k0 + K_SLICE);
                for (int g = 0; g < groups; g++) {
                    kernel(scratch, cols, k0, k1, packed, g * cols * GROUP, tiles, g * ROWS * GROUP);
                }
            }
            store(tiles, ROWS, rows, n, out, outStride, r0);
        }
    }

    /**
     * {@link #rows} for a matrix that dequantizes {@link Tensor#panelRows} rows at a time, a
     * slice of columns into a column-major panel ({@link Tensor#dequantizePanel}); the
     * micro-kernel reads the panel eight rows at a time. {@code from} and {@code to} are
     * multiples of the panel's rows.
     */
    private static void panels(Tensor w, float[] packed, int n, float[] out, int outStride, int from, int to, float[] panel) {
        int cols = w.cols();
        if (w.panelRows() != PANEL) {
            throw new IllegalArgumentException(w.panelRows() + "-row panels; the kernel reads " + PANEL);
        }
        int groups = (n + GROUP - 1) / GROUP;
        float[] tiles = new float[groups * PANEL * GROUP];
        for (int r0 = from; r0 < to; r0 += PANEL) {
            Arrays.fill(tiles, 0f);
            for (int k0 = 0; k0 < cols; k0 += K_SLICE) {
                int k1 = Math.min(cols, k0 + K_SLICE);
                w.dequantizePanel(r0, k0, k1, panel);
                for (int s = 0; s < PANEL; s += ROWS) {
                    for (int g = 0; g < groups; g++) {
                        panelKernel(panel, s - k0 * PANEL, k0, k1, packed, g * cols * GROUP, tiles, (g * PANEL + s) * GROUP);
                    }
                }
            }
            store(tiles, PANEL, PANEL, n, out, outStride, r0);
        }
    }

    /**
     * The first {@code rows} of a group's {@code height} rows of tiles into {@code out}, a
     * token's rows side by side: each store pass touches one cache line per token instead of one
     * per value.
     */
    private static void store(float[] tiles, int height, int rows, int n, float[] out, int outStride, int r0) {
        for (int t = 0; t < n; t++) {
            int tile = t / GROUP * height * GROUP + t % GROUP;
            for (int r = 0; r < rows; r++) {
                out[t * outStride + r0 + r] = tiles[tile + r * GROUP];
            }
        }
    }

    /**
     * Columns {@code [k0, k1)} of eight dequantized rows (at 0, cols, .. 7 cols of {@code w})
     * times one panel of packed tokens (starting at {@code p0}), added to {@code tile} (row r's
     * {@link #GROUP} token sums at {@code t0 + r * GROUP}). Per column: two vector loads, eight
     * broadcasts, 16 multiply-adds; 16 accumulators leave room in the 32 vector registers for
     * the compiler's scheduling (eight rows by three tokens of dot products, 24 accumulators,
     * spilled to the stack and ran a third slower).
     */
    private static void kernel(float[] w, int cols, int k0, int k1, float[] packed, int p0, float[] tile, int t0) {
        int n = S.length();
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        FloatVector a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        int w1 = cols, w2 = 2 * cols, w3 = 3 * cols, w4 = 4 * cols, w5 = 5 * cols, w6 = 6 * cols, w7 = 7 * cols;
        for (int k = k0; k < k1; k++) {
            int p = p0 + k * GROUP;
            int wk = k;
            FloatVector x0 = FloatVector.fromArray(S, packed, p);
            FloatVector x1 = FloatVector.fromArray(S, packed, p + n);
            FloatVector b = FloatVector.broadcast(S, w[wk]);
            a00 = b.fma(x0, a00);
            a01 = b.fma(x1, a01);
            b = FloatVector.broadcast(S, w[wk + w1]);
            a10 = b.fma(x0, a10);
            a11 = b.fma(x1, a11);
            b = FloatVector.broadcast(S, w[wk + w2]);
            a20 = b.fma(x0, a20);
            a21 = b.fma(x1, a21);
            b = FloatVector.broadcast(S, w[wk + w3]);
            a30 = b.fma(x0, a30);
            a31 = b.fma(x1, a31);
            b = FloatVector.broadcast(S, w[wk + w4]);
            a40 = b.fma(x0, a40);
            a41 = b.fma(x1, a41);
            b = FloatVector.broadcast(S, w[wk + w5]);
            a50 = b.fma(x0, a50);
            a51 = b.fma(x1, a51);
            b = FloatVector.broadcast(S, w[wk + w6]);
            a60 = b.fma(x0, a60);
            a61 = b.fma(x1, a61);
            b = FloatVector.broadcast(S, w[wk + w7]);
            a70 = b.fma(x0, a70);
            a71 = b.fma(x1, a71);
        }
        add(tile, t0, a00);
        add(tile, t0 + n, a01);
        add(tile, t0 + GROUP, a10);
        add(tile, t0 + GROUP + n, a11);
        add(tile, t0 + 2 * GROUP, a20);
        add(tile, t0 + 2 * GROUP + n, a21);
        add(tile, t0 + 3 * GROUP, a30);
        add(tile, t0 + 3 * GROUP + n, a31);
        add(tile, t0 + 4 * GROUP, a40);
        add(tile, t0 + 4 * GROUP + n, a41);
        add(tile, t0 + 5 * GROUP, a50);
        add(tile, t0 + 5 * GROUP + n, a51);
        add(tile, t0 + 6 * GROUP, a60);
        add(tile, t0 + 6 * GROUP + n, a61);
        add(tile, t0 + 7 * GROUP, a70);
        add(tile, t0 + 7 * GROUP + n, a71);
    }

    /**
     * {@link #kernel} for eight rows of a column-major panel ({@link #panels}): row r, column k at
     * {@code w0 + k × PANEL + r}. A kernel of its own because the JIT removes the bounds checks
     * of the broadcasts only for an index that moves by a constant per column: one kernel with
     * both strides as parameters checked all eight loads per column and ran a quarter slower.
     */
    private static void panelKernel(float[] w, int w0, int k0, int k1, float[] packed, int p0, float[] tile, int t0) {
        int n = S.length();
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        FloatVector a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        for (int k = k0; k < k1; k++) {
            int p = p0 + k * GROUP;
            int wk = w0 + k * PANEL;
            FloatVector x0 = FloatVector.fromArray(S, packed, p);
            FloatVector x1 = FloatVector.fromArray(S, packed, p + n);
            FloatVector b = FloatVector.broadcast(S, w[wk]);
            a00 = b.fma(x0, a00);
            a01 = b.fma(x1, a01);
            b = FloatVector.broadcast(S, w[wk + 1]);
            a10 = b.fma(x0, a10);
            a11 = b.fma(x1, a11);
            b = FloatVector.broadcast(S, w[wk + 2]);
            a20 = b.fma(x0, a20);
            a21 = b.fma(x1, a21);
            b = FloatVector.broadcast(S, w[wk + 3]);
            a30 = b.fma(x0, a30);
            a31 = b.fma(x1, a31);
            b = FloatVector.broadcast(S, w[wk + 4]);
            a40 = b.fma(x0, a40);
            a41 = b.fma(x1, a41);
            b = FloatVector.broadcast(S, w[wk + 5]);
            a50 = b.fma(x0, a50);
            a51 = b.fma(x1, a51);
            b = FloatVector.broadcast(S, w[wk + 6]);
            a60 = b.fma(x0, a60);
            a61 = b.fma(x1, a61);
            b = FloatVector.broadcast(S, w[wk + 7]);
            a70 = b.fma(x0, a70);
            a71 = b.fma(x1, a71);
        }
        add(tile, t0, a00);
        add(tile, t0 + n, a01);
        add(tile, t0 + GROUP, a10);
        add(tile, t0 + GROUP + n, a11);
        add(tile, t0 + 2 * GROUP, a20);
        add(tile, t0 + 2 * GROUP + n, a21);
        add(tile, t0 + 3 * GROUP, a30);
        add(tile, t0 + 3 * GROUP + n, a31);
        add(tile, t0 + 4 * GROUP, a40);
        add(tile, t0 + 4 * GROUP + n, a41);
        add(tile, t0 + 5 * GROUP, a50);
        add(tile, t0 + 5 * GROUP + n, a51);
        add(tile, t0 + 6 * GROUP, a60);
        add(tile, t0 + 6 * GROUP + n, a61);
        add(tile, t0 + 7 * GROUP, a70);
        add(tile, t0 + 7 * GROUP + n, a71);
    }

    /** {@code tile[at ..] += a}. */
    private static void add(float[] tile, int at, FloatVector a) {
        FloatVector.fromArray(S, tile, at).add(a).intoArray(tile, at);
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
