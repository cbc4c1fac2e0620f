package dev.vela.tensor;

import java.lang.foreign.MemorySegment;

/**
 * What {@link Q4_Kx32Tensor} and {@link Q5_Kx32Tensor} share: super-blocks of 256 with a d and a
 * dmin per row and a 6-bit scale and min per sub-block of 32, the scale and min unpacked at load
 * into one short per row and sub-block (scale in the low byte, min in the high). The tiles start
 * with the group's d, then dmin ({@link #scaledUp}: times 2^10, in the rows' paired lanes; a
 * matrix where one reaches 64 keeps the file's layout); each layout says where a row's tile is, where a sub-block's
 * scale shorts sit in it and how a quant is read, and the scalar twin and the row dequantization
 * are written once here.
 */
abstract class ScaleMinx32Tensor extends RowGroupTensor {
    static final int BLOCK = 256;
    /** One short per row of the group. */
    static final long VECTOR = 2L * GROUP;
    /** The rows' fp16 dmin, after their d. */
    static final long DMIN = VECTOR;

    ScaleMinx32Tensor(GGMLType type, MemorySegment data, int rows, int cols) {
        super(type, data, rows, cols);
    }

    /**
     * Writes row {@code r}'s d and dmin (the file's shorts {@code in[block]}, {@code in[block + 1]})
     * {@link #scaledUp} into their paired lanes of the tile starting at {@code out[tile]}.
     */
    static void putScales(short[] in, int block, int r, short[] out, int tile) {
        out[tile + pairedLane(r)] = scaledUp(in[block]);
        out[tile + GROUP + pairedLane(r)] = scaledUp(in[block + 1]);
    }

    /** Where the lane of row {@code row} in the tile of super-block {@code b} starts (its quants' and scale shorts' lane). */
    abstract long tile(int row, int b);

    /** Where sub-block {@code j}'s scale shorts are, from a tile's start. */
    abstract long scales(int j);

    /** Quant i (0..31) of sub-block j of the row whose lane starts at {@code lane} in its tile. */
    abstract int quant(long lane, int j, int i);

    /** The scalar twin of {@code matvec}: the same rounding of x, sums and float operations in the same order. */
    @Override
    public final float dotScalar(int row, float[] x, int xOff) {
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeKScalar(x, xOff, cols, xq, dx);
        int[] xsum = QuantizedInput.blockSums(xq);
        float acc = 0f;
        for (int b = 0; b < cols / BLOCK; b++) {
            long lane = tile(row, b);
            float d = scaledDownInRowOrder(lane, row);
            float dmin = scaledDownInRowOrder(lane + DMIN, row);
            for (int j = 0; j < 8; j++) {
                int sum = 0;
                for (int i = 0; i < 32; i++) {
                    sum += quant(lane, j, i) * xq[b * BLOCK + 32 * j + i];
                }
                short sm = data.get(F16Tensor.HALF, lane + scales(j));
                float step = dx[b * 8 + j];
                float offset = -step * xsum[b * 8 + j];
                acc = Math.fma((float) sum * (sm & 0xFF), d * step, acc);
                acc = Math.fma(sm >>> 8 & 0xFF, dmin * offset, acc);
            }
        }
        return acc;
    }

    /** Weight {@code (d·scale)·q − dmin·min}, as the file's layout ({@link Q4_KTensor}, {@link Q5_KTensor}) reads it. */
    @Override
    public final void dequantizeRow(int row, float[] out, int off) {
        for (int b = 0; b < cols / BLOCK; b++) {
            long lane = tile(row, b);
            float d = scaledDownInRowOrder(lane, row);
            float dmin = scaledDownInRowOrder(lane + DMIN, row);
            for (int j = 0; j < 8; j++) {
                short sm = data.get(F16Tensor.HALF, lane + scales(j));
                float scale = d * (sm & 0xFF);
                float min = dmin * (sm >>> 8 & 0xFF);
                for (int i = 0; i < 32; i++) {
                    out[off + b * BLOCK + 32 * j + i] = scale * quant(lane, j, i) - min;
                }
            }
        }
    }
}
